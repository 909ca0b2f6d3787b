import json

import pytest

from mumo.audio import load
from mumo.data.adapters.music4all import hash_split, music_caption, prepare_music4all
from mumo.data.clips import read_index
from mumo.errors import DataError

from .adapter_fixtures import write_tone


@pytest.fixture(scope="module")
def music4all(tmp_path_factory):
    root = tmp_path_factory.mktemp("music4all")
    write_tone(root / "audios" / "aaa.wav", 3.0)
    write_tone(root / "audios" / "bbb.wav", 2.0, frequency=330.0)
    (root / "audios" / "ccc.mp3").write_bytes(b"ID3 truncated")
    (root / "id_genres.csv").write_text("id\tgenres\naaa\trock,indie\nbbb\tpop\nccc\tjazz\nddd\tfunk\n")
    (root / "id_tags.csv").write_text("id\ttags\naaa\tenergetic,guitar,loud,fast,live,extra\n")
    (root / "id_metadata.csv").write_text("id\tspotify_id\ttempo\naaa\tx\t121.7\nbbb\ty\t\n")
    out = root / "out"
    return root, out, prepare_music4all(root, out, max_duration_s=2.5)


def test_tracks_become_music_only_clips_with_captions(music4all):
    _, out, _ = music4all
    records = {r.clip_id: r for r in read_index(out)}
    assert set(records) == {"aaa", "bbb"}
    first = records["aaa"]
    assert first.joints_path is None
    assert first.music_caption == "rock, indie music; tags: energetic, guitar, loud, fast, live; 122 BPM"
    assert first.tempo_bpm == pytest.approx(121.7)
    assert first.duration_s == pytest.approx(2.5)
    assert records["bbb"].music_caption == "pop music"
    assert first.split == hash_split("aaa")
    audio = load(out / first.music_path, 32_000)
    assert audio.shape == (1, 80_000)
    assert not (out / "motion_stats").exists()


def test_unreadable_and_missing_audio_are_reported(music4all):
    _, out, report = music4all
    assert (report.read, report.written, len(report.skipped)) == (4, 2, 2)
    reasons = dict(report.skipped)
    assert "not a readable audio file" in reasons["ccc"]
    assert "no audio file ddd.mp3" in reasons["ddd"]
    assert json.loads((out / "report.json").read_text())["skipped"] == 2


def test_hash_split_is_stable_and_mostly_train():
    splits = [hash_split(f"track{n}") for n in range(2000)]
    assert splits == [hash_split(f"track{n}") for n in range(2000)]
    counts = {s: splits.count(s) for s in ("train", "val", "test")}
    assert 0.85 < counts["train"] / 2000 < 0.95
    assert counts["val"] > 0
    assert counts["test"] > 0


def test_caption_without_metadata():
    assert music_caption("", "", "") == "unknown genre music"
    assert music_caption("house", "", "not a number") == "house music"


def test_missing_genre_table_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        prepare_music4all(tmp_path, tmp_path / "out")
