import numpy as np
import pytest

from mumo.metrics.motion_quality import foot_skating_ratio, motion_quality, pfc, pfc_clip


def z_up(motion: np.ndarray) -> np.ndarray:
    return np.stack([motion[..., 0], -motion[..., 2], motion[..., 1]], axis=-1)


def test_pfc_golden(golden_motion):
    single = z_up(golden_motion(2, 150, fps=30.0))
    assert 10_000 * pfc_clip(single, fps=30.0) == pytest.approx(5.424448398629, rel=1e-9)
    clips = [z_up(golden_motion(k, 150, fps=30.0)) for k in range(5)]
    assert pfc(clips, fps=30.0) == pytest.approx(8.555235608210, rel=1e-9)


def test_pfc_of_unaccelerated_root_is_zero():
    joints = np.zeros((30, 24, 3))
    joints[:, :, 0] = np.arange(30)[:, None] * 0.25  # constant velocity (exact in binary)
    assert pfc_clip(joints) == 0.0


def test_foot_skating_ratio():
    joints = np.zeros((61, 22, 3))
    assert foot_skating_ratio(joints) == 0.0
    joints[:, :, 0] = np.linspace(0, 2.0, 61)[:, None]  # feet on the floor sliding at 2 m/s
    assert foot_skating_ratio(joints) == pytest.approx(1.0)


def test_motion_quality_ratios(golden_motion):
    gt = [golden_motion(k, 120) for k in range(3)]
    fast = [2.0 * g for g in gt]
    result = motion_quality(fast, gt)
    assert result["joint_speed_ratio_to_gt"] == pytest.approx(2.0)
    assert result["jitter_ratio_to_gt"] == pytest.approx(2.0)


def test_motion_quality_reports_pfc_of_y_up_clips_at_their_frame_rate(golden_motion):
    """The y-up clips scored directly give EDGE's golden value of their z-up twins."""
    clips = [golden_motion(k, 150, fps=30.0) for k in range(5)]
    assert motion_quality(clips, fps=30.0)["pfc_30fps"] == pytest.approx(8.555235608210, rel=1e-9)
