import importlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mumo.data.clips import read_index, write_index
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.token_store import TokenStore
from mumo.data.token_store import build as build_module
from mumo.data.token_store.build import build_token_store
from mumo.data.token_store.layout import TokenizerInfo


@pytest.fixture(scope="module")
def fakes():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(Path(__file__).parent))
        module = importlib.import_module("fake_tokenizers")
        patch.setattr(build_module, "_load_tokenizers", module.load_fake_tokenizers)
        yield module


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A synthetic dataset with three broken clips: unreadable audio, NaN motion, wrongly shaped motion."""
    root = tmp_path_factory.mktemp("synth")
    build_synthetic_dataset(root, num_clips=8, seed=5, min_duration_s=2.0, max_duration_s=3.0)
    records = read_index(root)
    (root / records[1].music_path).write_bytes(b"not a wav file")
    joints = np.load(root / records[2].joints_path)
    joints[5, 3] = np.nan
    np.save(root / records[2].joints_path, joints)
    np.save(root / records[3].joints_path, np.zeros((50, 17, 3), dtype=np.float32))
    music_only = replace(records[4], clip_id="music_only", joints_path=None)
    write_index(root, [*records, music_only])
    return root


def build(dataset, out, fakes, workers=1, frames_per_shard=200):
    encoder = fakes.FakeTokenizerEncoder("music_codec", "motion_codec")
    music, motion = encoder.describe()
    return build_token_store(
        dataset, out, encoder, music, motion, workers=workers, frames_per_shard=frames_per_shard
    )


def test_bad_clips_are_skipped_and_reported(dataset, fakes, tmp_path):
    meta, report = build(dataset, tmp_path / "store", fakes)
    records = read_index(dataset)
    assert (report.read, report.written, len(report.skipped)) == (9, 5, 4)
    reasons = dict(report.skipped)
    assert "AudioError" in reasons[records[1].clip_id]
    assert "NaN" in reasons[records[2].clip_id]
    assert "22" in reasons[records[3].clip_id]
    assert "one stream" in reasons["music_only"]
    saved = json.loads((tmp_path / "store" / "report.json").read_text())
    assert (saved["read"], saved["written"], saved["skipped"]) == (9, 5, 4)
    assert {entry["item"] for entry in saved["skipped_items"]} == set(reasons)

    store = TokenStore(tmp_path / "store")
    assert meta.music.num_codebooks == 2
    assert meta.source == str(dataset.resolve())
    good = [records[i] for i in (0, 4, 5, 6, 7)]
    for row, record in enumerate(good):
        item = store[row]
        assert item.clip_id == record.clip_id
        assert item.music_text == record.music_caption
        assert item.split == record.split
        # 50 Hz codes of both streams; the longer one is trimmed and both lengths are kept.
        assert item.music_frames == int(record.duration_s * 32_000) // 640
        assert item.motion_frames == round(record.duration_s * 60) * 5 // 6
        assert item.music_codes.shape[1] == min(item.music_frames, item.motion_frames)


def test_tokenizer_directories_and_hashes_are_recorded(fakes, tmp_path):
    codec = tmp_path / "codec"
    codec.mkdir()
    (codec / "config.json").write_text('{"k": 2}')
    info = TokenizerInfo.describe(codec, fakes.FakeMusicTokenizer())
    assert info.directory == str(codec.resolve())
    assert len(info.config_sha256) == 64
    assert (info.frame_rate, info.num_codebooks, info.cardinality) == (50.0, 2, fakes.CARDINALITY)


def test_rerun_resumes_and_workers_give_the_same_store(dataset, fakes, tmp_path):
    serial_meta, _ = build(dataset, tmp_path / "serial", fakes, frames_per_shard=150)
    serial = TokenStore(tmp_path / "serial")

    # An interrupted run: only the first finished shard is kept; the re-run (2 workers) adds the rest.
    build(dataset, tmp_path / "parallel", fakes, frames_per_shard=150)
    for path in sorted((tmp_path / "parallel" / "shards").glob("0000[1-9].*")):
        path.unlink()
    (tmp_path / "parallel" / "index.npy").unlink()
    meta, report = build(dataset, tmp_path / "parallel", fakes, workers=2, frames_per_shard=150)
    resumed = report.extra["resumed"]
    assert 0 < resumed < 5
    assert report.written == 5 - resumed
    parallel = TokenStore(tmp_path / "parallel")
    assert meta.num_items == serial_meta.num_items == len(parallel) == len(serial)
    for row in range(len(serial)):
        assert parallel[row].clip_id == serial[row].clip_id
        np.testing.assert_array_equal(parallel[row].music_codes, serial[row].music_codes)
        np.testing.assert_array_equal(parallel[row].motion_codes, serial[row].motion_codes)
