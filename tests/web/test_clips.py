from mumo.data.clips import ClipRecord, write_index
from mumo.web.clips import demo_songs


def _clip(clip_id: str, split: str, music: str | None) -> ClipRecord:
    joints = f"motion/{clip_id}.npy"
    return ClipRecord(clip_id, split, music, joints, "a house track", "a house dance", 6.4, style="house")


def test_the_test_songs_of_a_dataset_are_offered(tmp_path):
    clips = [_clip("a", "train", "music/a.wav"), _clip("b", "test", "music/b.wav"), _clip("c", "test", None)]
    write_index(tmp_path, clips)
    assert demo_songs(tmp_path) == {"b · house · 6 s": tmp_path / "music" / "b.wav"}


def test_a_folder_without_a_dataset_offers_none(tmp_path):
    assert demo_songs(tmp_path / "missing") == {}
