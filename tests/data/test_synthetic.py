import dataclasses
import json

import numpy as np
import pytest

from mumo.audio import load, onset_envelope
from mumo.data.clips import read_index
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.synthetic.build import assign_splits
from mumo.data.synthetic.dance import L_HIP, L_SHOULDER, MOVES, generate_dance, local_rotations
from mumo.data.synthetic.music import synthesize_track
from mumo.data.synthetic.styles import STEPS_PER_BEAT, STYLES
from mumo.errors import InputError
from mumo.metrics.beat_align import clip_beat_align_score
from mumo.metrics.motion_quality import foot_skating_ratio
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
    assert FeatureStats.load(root / "motion_stats").mean.shape == (263,)
    assert json.loads((root / "stats.json").read_text()) == stats


def test_beat_figures(dataset):
    _, stats = dataset
    assert stats["beat_tracking_f_measure_70ms"] >= 0.9
    assert stats["beat_align_score_own_music"] > 2 * stats["beat_align_score_shuffled_music"]


def test_same_seed_gives_identical_bytes_with_any_number_of_workers(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for root, seed, workers in ((first, 5, 1), (second, 5, 2), (other, 6, 1)):
        build_synthetic_dataset(root, num_clips=3, seed=seed, max_duration_s=5.5, workers=workers)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == 3 * 2 + 4  # clips, index.jsonl, stats.json, motion_stats/ (2 files)
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    assert (first / "index.jsonl").read_bytes() != (other / "index.jsonl").read_bytes()


@pytest.mark.parametrize("move", sorted(MOVES))
def test_each_move_keeps_bones_floor_planted_feet_and_beats(move):
    style = dataclasses.replace(STYLES[0], moves=(move,))
    rng = np.random.default_rng(0)
    track = synthesize_track(style, 140.0, 6.0, rng)
    dance = generate_dance(style, track, 360, rng)
    joints = dance.joints.astype(np.float64)
    assert set(dance.moves) == {move}
    bones = np.linalg.norm(joints[:, 1:] - joints[:, list(SMPL22.parents[1:])], axis=-1)
    np.testing.assert_allclose(bones, np.broadcast_to(SMPL22.bone_lengths(), bones.shape), atol=1e-5)
    feet = joints[:, list(SMPL22.left_foot + SMPL22.right_foot), 1]
    np.testing.assert_allclose(feet.min(axis=1), 0.0, atol=1e-6)
    assert foot_skating_ratio(joints, fps=60) < 0.08
    speed = np.linalg.norm(np.diff(joints, axis=0), axis=-1).mean(axis=1)
    beat_frames = np.round(track.beat_times_s * 60).astype(int)
    beat_frames = beat_frames[(beat_frames > 2) & (beat_frames < 355)]
    assert speed[beat_frames].mean() < 0.3 * speed.mean()
    assert clip_beat_align_score(joints, beat_frames) > 0.7
    travelled = np.linalg.norm(joints[-1, 0, [0, 2]] - joints[0, 0, [0, 2]])
    assert (travelled > 1.0) == (move == "travel")


def test_local_rotations_swing_limbs_forward_with_negative_x():
    angles = np.zeros((1, SMPL22.num_joints, 3))
    angles[0, L_SHOULDER, 2] = -np.deg2rad(75.0)  # arm hanging
    angles[0, L_SHOULDER, 0] = -0.6
    angles[0, L_HIP, 0] = -0.6
    joints = SMPL22.forward_kinematics(local_rotations(angles), np.zeros((1, 3)))[0]
    wrist, shoulder, ankle, hip = joints[20], joints[L_SHOULDER], joints[7], joints[L_HIP]
    assert wrist[2] - shoulder[2] > 0.2  # facing +z: in front of the shoulder
    assert wrist[1] < shoulder[1]  # and still below it
    assert ankle[2] - hip[2] > 0.2


def test_splits_and_bad_arguments():
    splits = assign_splits(20, seed=0)
    assert splits.count("val") == 2
    assert splits.count("test") == 2
    with pytest.raises(InputError, match="at least 3"):
        build_synthetic_dataset("/tmp/never", num_clips=2, seed=0)


def bar_onset_profile(style, seed: int) -> np.ndarray:
    """Unit-norm onset strength at each sixteenth step of the bar, averaged over the bars of one track."""
    rng = np.random.default_rng(seed)
    track = synthesize_track(style, float(rng.uniform(*style.tempo_bpm)), 6.0, rng)
    hop = 128
    envelope = onset_envelope(track.audio, 32_000, hop_length=hop)
    steps = style.beats_per_bar * STEPS_PER_BEAT
    times = track.downbeat_times_s[:, None] + np.arange(steps) * 60.0 / track.tempo_bpm / STEPS_PER_BEAT
    frames = np.round(times * 32_000 / hop).astype(int)
    frames = frames[(frames + 4 < len(envelope)).all(axis=1)]
    peaks = np.max([envelope[frames + k] for k in range(-1, 5)], axis=0).mean(axis=0)
    profile = np.pad(peaks, (0, 4 * STEPS_PER_BEAT - steps))
    return profile / np.linalg.norm(profile)


def test_styles_are_told_apart_by_their_drum_patterns():
    profiles = {(s.name, seed): bar_onset_profile(s, seed) for s in STYLES for seed in (0, 1)}
    names = [s.name for s in STYLES]
    within = max(1 - profiles[(n, 0)] @ profiles[(n, 1)] for n in names)
    between = min(
        1 - profiles[(a, i)] @ profiles[(b, j)]
        for a in names
        for b in names
        if a != b
        for i in (0, 1)
        for j in (0, 1)
    )
    assert within < 0.5 * between
