import json
import tracemalloc

import numpy as np
import pytest

from mumo.data.token_store import TokenStore, TokenStoreWriter
from mumo.data.token_store.layout import code_dtype
from mumo.errors import DataError

from .store_helpers import FRAME_RATE, MOTION_K, MUSIC_K, clip_codes, make_item, store_meta, write_store


def test_round_trip_trims_to_shorter_stream_and_records_lengths(tmp_path):
    with TokenStoreWriter(tmp_path, store_meta(), frames_per_shard=100) as writer:
        assert writer.add(make_item(0, 60, "train", motion_extra=5)) == 60
        assert writer.add(make_item(1, 80, "val", motion_extra=-10)) == 70
        writer.add(make_item(2, 30, "test"))
    store = TokenStore(tmp_path)
    assert len(store) == 3
    assert store.meta.num_shards == 2  # 140 frames reach the 100-frame shard size after clip 1
    first, second = store[0], store[1]
    assert (first.music_frames, first.motion_frames) == (60, 65)
    assert (second.music_frames, second.motion_frames) == (80, 70)
    assert second.music_codes.shape == (MUSIC_K, 70)
    assert second.motion_codes.shape == (MOTION_K, 70)
    np.testing.assert_array_equal(second.music_codes, clip_codes(1, 70, MUSIC_K, 0))
    np.testing.assert_array_equal(second.motion_codes, clip_codes(1, 70, MOTION_K, 1))
    assert first.motion_text == "dance of clip 0 ✓"
    assert second.split == "val"
    assert store[2].style == ""
    assert store[1].style == "house"
    assert list(store.indices("test")) == [2]
    assert first.duration_s == pytest.approx(60 / FRAME_RATE)
    music, motion = store.codes(1, 10, 20)
    np.testing.assert_array_equal(music, clip_codes(1, 20, MUSIC_K, 0)[:, 10:])
    assert motion.shape == (MOTION_K, 10)
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["read"], report["written"], report["skipped"]) == (3, 3, 0)


def test_codes_use_the_smallest_dtype():
    assert code_dtype(2048) == np.uint16
    assert code_dtype(1 << 16) == np.uint16
    assert code_dtype((1 << 16) + 1) == np.int32


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"music_codes": np.zeros((3, 10), dtype=np.int64)}, "must be \\[4, T\\]"),
        ({"motion_codes": np.full((2, 10), 2048)}, "outside \\[0, 2048\\)"),
        ({"music_codes": np.zeros((4, 10), dtype=np.float32)}, "must be integers"),
        ({"split": "dev"}, "unknown split"),
        ({"music_codes": np.zeros((4, 0), dtype=np.int64)}, "no code frames"),
    ],
)
def test_bad_items_are_refused(tmp_path, change, message):
    from dataclasses import replace

    writer = TokenStoreWriter(tmp_path, store_meta())
    with pytest.raises(DataError, match=message):
        writer.add(replace(make_item(0, 10), **change))


def test_duplicate_clip_ids_are_refused(tmp_path):
    writer = TokenStoreWriter(tmp_path, store_meta())
    writer.add(make_item(0, 10))
    with pytest.raises(DataError, match="already in the store"):
        writer.add(make_item(0, 12))


def test_resume_after_interruption_keeps_finished_shards(tmp_path):
    def interrupted_build():
        with TokenStoreWriter(tmp_path, store_meta(), frames_per_shard=50) as writer:
            for number in range(5):
                writer.add(make_item(number, 30))
            writer.skip("broken", "NaN motion")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_build()
    with pytest.raises(DataError, match="did not finish"):
        TokenStore(tmp_path)

    writer = TokenStoreWriter(tmp_path, store_meta(), frames_per_shard=50)
    assert writer.done_ids == {f"clip{n:06d}" for n in range(5)}
    for number in range(8):
        if f"clip{number:06d}" not in writer.done_ids:
            writer.add(make_item(number, 30))
    writer.close()
    store = TokenStore(tmp_path)
    assert [store[row].clip_id for row in range(len(store))] == [f"clip{n:06d}" for n in range(8)]
    np.testing.assert_array_equal(store[6].music_codes, clip_codes(6, 30, MUSIC_K, 0))
    assert json.loads((tmp_path / "report.json").read_text())["resumed"] == 5


def test_other_tokenizers_cannot_extend_a_store(tmp_path):
    write_store(tmp_path, [10, 12])
    with pytest.raises(DataError, match="other tokenizers"):
        TokenStoreWriter(tmp_path, store_meta(config_sha256="1" * 64))


def test_missing_store_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not a token store"):
        TokenStore(tmp_path)


def test_store_pickles_without_its_memory_maps(tmp_path):
    import pickle

    store = TokenStore(write_store(tmp_path, [10, 12]))
    store[1]
    clone = pickle.loads(pickle.dumps(store))
    np.testing.assert_array_equal(clone[1].music_codes, store[1].music_codes)


def test_ten_thousand_clips_open_in_small_memory(tmp_path):
    num_clips = 10_000
    lengths = [100 + (number * 37) % 150 for number in range(num_clips)]  # 100..249 frames
    splits = [("train", "val", "test")[number % 3] for number in range(num_clips)]
    write_store(tmp_path, lengths, splits, frames_per_shard=200_000)
    code_bytes = sum(lengths) * (MUSIC_K + MOTION_K) * 2
    assert code_bytes > 20_000_000

    tracemalloc.start()
    store = TokenStore(tmp_path)
    assert len(store) == num_clips
    rows = np.random.default_rng(0).integers(0, num_clips, size=500)
    for row in rows:
        item = store[int(row)]
        assert item.music_codes.shape == (MUSIC_K, lengths[row])
        np.testing.assert_array_equal(
            item.motion_codes[:, -3:], clip_codes(int(row), lengths[row], MOTION_K, 1)[:, -3:]
        )
        assert item.split == splits[row]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < code_bytes / 10, f"peak {peak} bytes for {code_bytes} bytes of codes"

    assert store.meta.num_shards == -(-sum(lengths) // 200_000)
    assert int(store.lengths().sum()) == sum(lengths)
    assert {store.text(row, "clip_id") for row in range(num_clips)} == {
        f"clip{n:06d}" for n in range(num_clips)
    }
    assert len(store.indices("val")) == sum(split == "val" for split in splits)
