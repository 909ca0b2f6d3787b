import numpy as np
import pytest

from mumo.motion.kinematics import jitter, mean_joint_speed


def test_speed_and_jitter_units():
    t = np.arange(120) / 60.0
    joints = np.zeros((120, 22, 3))
    joints[:, :, 0] = 1.5 * t[:, None]  # 1.5 m/s straight line
    assert mean_joint_speed(joints) == pytest.approx(1.5)
    assert jitter(joints) == pytest.approx(0.0, abs=1e-6)
    noisy = joints + np.random.default_rng(0).normal(0, 0.002, joints.shape)
    assert jitter(noisy) > 100.0


def test_jitter_is_the_mean_third_difference_times_fps_cubed():
    joints = np.zeros((5, 1, 3))
    joints[2, 0, 1] = 0.001  # a 1 mm blip in the middle of 5 frames: third differences -3 mm, +3 mm
    assert jitter(joints, fps=10.0) == pytest.approx(3e-3 * 10.0**3)
    assert jitter(joints[:3]) == 0.0
