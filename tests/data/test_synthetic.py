import json

import numpy as np
import pytest

from mumo.audio import load
from mumo.data.clips import read_index
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.synthetic.build import assign_splits
from mumo.data.synthetic.dance import generate_dance
from mumo.data.synthetic.music import synthesize_track
from mumo.data.synthetic.styles import STYLES
from mumo.errors import DataError
from mumo.motion import FeatureStats, validate_joints
from mumo.motion.skeleton import SMPL22


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    stats = build_synthetic_dataset(root, num_clips=12, seed=3, max_duration_s=7.0)
    return root, stats


def test_layout_and_records(dataset):
    root, stats = dataset
    records = read_index(root)
    assert len(records) == 12
    assert {r.split for r in records} == {"train", "val", "test"}
    assert {r.style for r in records} == {s.name for s in STYLES}
    for record in records:
        audio = load(root / record.music_path, 32_000)
        joints = np.load(root / record.joints_path)
        validate_joints(joints)
        assert audio.shape[1] == pytest.approx(record.duration_s * 32_000, abs=1)
        assert joints.shape == (round(record.duration_s * 60), 22, 3)
        assert 80 <= record.tempo_bpm <= 160
        assert 5.0 <= record.duration_s <= 7.0
        assert record.style in record.music_caption.lower()
        assert record.motion_caption
        assert all(0 <= b < record.duration_s for b in record.beat_times_s)
    assert FeatureStats.load(root / "motion_stats.npz").mean.shape == (263,)
    assert json.loads((root / "stats.json").read_text()) == stats


def test_beat_figures(dataset):
    _, stats = dataset
    assert stats["beat_tracking_f_measure_70ms"] >= 0.9
    assert stats["beat_align_score_own_music"] > 2 * stats["beat_align_score_shuffled_music"]


def test_same_seed_gives_identical_bytes(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for root, seed in ((first, 5), (second, 5), (other, 6)):
        build_synthetic_dataset(root, num_clips=3, seed=seed, max_duration_s=5.5)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == 3 * 2 + 3
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    assert (first / "index.jsonl").read_bytes() != (other / "index.jsonl").read_bytes()


def test_dance_keeps_bones_and_floor_and_locks_to_beats():
    rng = np.random.default_rng(0)
    style = STYLES[2]
    track = synthesize_track(style, 140.0, 6.0, rng)
    dance = generate_dance(style, track, 360, rng)
    joints = dance.joints.astype(np.float64)
    bones = np.linalg.norm(joints[:, 1:] - joints[:, list(SMPL22.parents[1:])], axis=-1)
    np.testing.assert_allclose(bones, np.broadcast_to(SMPL22.bone_lengths(), bones.shape), atol=1e-5)
    feet = joints[:, [7, 8, 10, 11], 1]
    np.testing.assert_allclose(feet.min(axis=1), 0.0, atol=1e-6)
    speed = np.linalg.norm(np.diff(joints, axis=0), axis=-1).mean(axis=1)
    beat_frames = np.round(track.beat_times_s * 60).astype(int)
    beat_frames = beat_frames[(beat_frames > 2) & (beat_frames < 355)]
    mid_frames = np.round((track.beat_times_s[:-1] + 30 / 140) * 60).astype(int)[: len(beat_frames)]
    assert speed[beat_frames].mean() < 0.2 * speed[mid_frames].mean()


def test_splits_and_bad_arguments():
    splits = assign_splits(20, seed=0)
    assert splits.count("val") == 2
    assert splits.count("test") == 2
    with pytest.raises(DataError, match="at least 3"):
        build_synthetic_dataset("/tmp/never", num_clips=2, seed=0)
