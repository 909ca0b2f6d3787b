import json

import numpy as np
import pytest

from mumo.data.clips import read_index
from mumo.data.pairing import PairingConfig, beat_time_warp, pair_datasets, warp_joints
from mumo.data.synthetic import build_synthetic_dataset
from mumo.errors import ConfigError
from mumo.metrics.beat_align import beat_align_score, motion_beats


def stepping_dance(beats: np.ndarray, num_frames: int) -> np.ndarray:
    """Joints [T, 22, 3] that move between beats and stop on them (speed minima at the beats)."""
    t = np.arange(num_frames, dtype=np.float64)
    segment = np.clip(np.searchsorted(beats, t, side="right") - 1, 0, len(beats) - 2)
    u = np.clip((t - beats[segment]) / (beats[segment + 1] - beats[segment]), 0, 1)
    x = 0.3 * (segment + (1 - np.cos(np.pi * u)) / 2)
    joints = np.zeros((num_frames, 22, 3))
    joints[:, :, 0] = x[:, None] + np.linspace(0, 0.2, 22)
    joints[:, :, 1] = np.linspace(0.0, 1.6, 22)
    return joints


def test_warp_passes_through_matched_beats():
    positions, matched = beat_time_warp(
        np.array([30, 60, 90]), np.array([25.0, 62.0, 95.0]), 120, 0.0, 200.0, max_rate=1.5
    )
    assert matched == 3
    assert positions[[0, 30, 60, 90, 119]].tolist() == [0, 25, 62, 95, 124]
    assert np.all(np.diff(positions) > 0)


def test_warp_respects_the_rate_bound_and_the_clip_end():
    positions, matched = beat_time_warp(np.array([30]), np.array([80.0]), 60, 0.0, 200.0, max_rate=1.5)
    assert matched == 0  # reaching beat 80 by frame 30 would need rate 2.7
    np.testing.assert_allclose(positions, np.arange(60))
    positions, _ = beat_time_warp(np.array([]), np.array([]), 60, 20.0, 50.0, max_rate=1.5)
    assert positions[-1] == 50.0


def test_warped_dance_beats_land_on_music_beats():
    dance_beats = np.arange(10.3, 400, 37.0)  # ~97 BPM at 60 fps, between frames (one speed minimum each)
    music_beats = np.arange(15, 300, 30)  # 120 BPM
    joints = stepping_dance(dance_beats, 420)
    positions, matched = beat_time_warp(music_beats, motion_beats(joints).astype(float), 300, 0.0, 419.0, 1.5)
    assert matched >= len(music_beats) - 2
    warped = warp_joints(joints, positions)
    before = beat_align_score(music_beats, motion_beats(joints[:300]))
    after = beat_align_score(music_beats, motion_beats(warped))
    assert after > 0.8
    assert after > before + 0.3


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    build_synthetic_dataset(root, num_clips=6, seed=11, min_duration_s=3.0, max_duration_s=4.0)
    return root


def test_pairing_writes_a_paired_dataset_with_alignment_report(synth, tmp_path):
    config = PairingConfig(dances_per_track=2, seed=3)
    report = pair_datasets(synth, synth, tmp_path / "paired", config)
    tracks = read_index(synth)
    paired = read_index(tmp_path / "paired")
    per_split = {s: sum(t.split == s for t in tracks) for s in ("train", "val", "test")}
    expected = sum(min(2, per_split[t.split] - 1) for t in tracks)
    assert report.written == len(paired) == expected
    lonely = [t.clip_id for t in tracks if per_split[t.split] == 1]
    assert sorted(name for name, _ in report.skipped) == sorted(lonely)
    for record in paired:
        track, dance = record.clip_id.split("__")
        assert track != dance
        source = next(t for t in tracks if t.clip_id == track)
        assert record.music_caption == source.music_caption
        assert record.split == source.split
        joints = np.load(tmp_path / "paired" / record.joints_path)
        assert len(joints) == round(record.duration_s * 60)
    saved = json.loads((tmp_path / "paired" / "report.json").read_text())
    assert len(saved["pairs"]) == expected
    assert saved["bas_after_mean"] >= saved["bas_before_mean"]
    for pair in saved["pairs"]:
        assert 0.0 <= pair["bas_before"] <= 1.0
        assert 0.0 <= pair["bas_after"] <= 1.0

    again = pair_datasets(synth, synth, tmp_path / "again", config)
    assert again.extra["pairs"] == report.extra["pairs"]
    other = pair_datasets(synth, synth, tmp_path / "other", PairingConfig(dances_per_track=2, seed=4))
    assert [p["dance_start_frame"] for p in other.extra["pairs"]] != [
        p["dance_start_frame"] for p in report.extra["pairs"]
    ]


def test_bad_pairing_settings():
    with pytest.raises(ConfigError, match="dances_per_track"):
        PairingConfig(dances_per_track=0).check()
