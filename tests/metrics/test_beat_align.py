import numpy as np
import pytest

from mumo.metrics.beat_align import (
    beat_align_score,
    beat_phase_locking,
    clip_beat_align_score,
    clip_beat_scores,
    motion_beats,
)


@pytest.mark.parametrize(
    ("k", "beats", "score"),
    [
        (3, [20, 40, 61, 89, 108, 123, 146, 164, 195, 202, 221, 232], 0.43294117014),
        (8, [21, 40, 64, 90, 109, 147, 165, 179, 201, 221], 0.29297333486),
    ],
)
def test_golden_bas(golden_motion, k, beats, score):
    motion = golden_motion(k, 240)
    np.testing.assert_array_equal(motion_beats(motion), beats)
    music = np.arange(15, 239, 30)
    assert clip_beat_align_score(motion, music) == pytest.approx(score, rel=1e-9)


def test_frozen_motion_scores_zero():
    frozen = np.zeros((100, 24, 3))
    assert motion_beats(frozen).size == 0
    assert clip_beat_align_score(frozen, np.array([10, 40])) == 0.0
    assert beat_align_score(np.array([]), np.array([3])) == 0.0


def test_perfect_alignment_scores_one():
    assert beat_align_score(np.array([10, 40]), np.array([10, 40, 70])) == pytest.approx(1.0)


def test_golden_generator_checksum(golden_motion):
    motion = golden_motion(3, 120)
    assert motion.sum() == pytest.approx(832.8717795352, abs=1e-8)
    np.testing.assert_allclose(motion[0, 0], [0.194729363, 0.864224246, -0.050868520], atol=1e-9)


def test_music_beats_of_click_track_at_60_fps():
    from mumo.metrics.beat_align import music_beat_frames

    rate, bpm = 32_000, 120.0
    wave = np.zeros(8 * rate, dtype=np.float32)
    click = np.exp(-np.arange(400) / 60.0) * np.random.default_rng(0).standard_normal(400)
    for time in np.arange(0.5, 7.8, 60 / bpm):
        start = int(time * rate)
        wave[start : start + 400] += click.astype(np.float32)
    frames = music_beat_frames(wave, rate)
    spacing = np.diff(frames)
    assert np.median(spacing) == pytest.approx(30, abs=1)
    assert np.min(np.abs(frames[:, None] - (np.arange(0.5, 7.8, 0.5) * 60)[None]), axis=1).max() <= 3


def test_phase_locking_is_one_for_beats_at_any_constant_lag_where_bas_drops():
    music = np.arange(0, 300, 30)
    on_beat, lagged = music[:-1] + 0, music[:-1] + 9
    assert beat_phase_locking(music, on_beat) == pytest.approx(1.0)
    assert beat_phase_locking(music, lagged) == pytest.approx(1.0)
    assert beat_align_score(music, lagged) < 0.02


def test_phase_locking_is_low_for_beats_spread_over_the_cycle_and_zero_without_a_cycle():
    music = np.arange(0, 300, 30)
    spread = music[:-1] + np.tile([0, 7.5, 15, 22.5], 3)[:9]  # phases 0, 1/4, 1/2, 3/4 in turn
    assert beat_phase_locking(music, spread) < 0.15
    assert beat_phase_locking(music, np.array([400, 500])) == 0.0  # after the last music beat
    assert beat_phase_locking(np.array([10]), np.array([12])) == 0.0
    assert beat_phase_locking(music, np.array([])) == 0.0


def test_clip_scores_read_its_kinematic_beats_once_for_both_measures():
    fps, period = 60, 30
    t = np.arange(300)
    speed = 1.2 + np.cos(2 * np.pi * (t - 5) / period)  # slowest 20 frames after each music beat
    x = np.cumsum(speed) / fps
    joints = np.zeros((300, 22, 3))
    joints[..., 0] = x[:, None]
    music = np.arange(period, 300, period)
    align, locking = clip_beat_scores(joints, music)
    assert locking > 0.95
    assert align == clip_beat_align_score(joints, music)
