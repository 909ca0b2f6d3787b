import itertools

import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.motion import (
    canonicalize_joints,
    features_to_joints,
    joints_to_features,
    resample_features,
    resample_joints,
    root_velocities,
)
from mumo.motion.features import FOOT_CONTACTS, JOINT_POSITIONS, JOINT_VELOCITIES

RATES = (60, 50, 30, 20)
RATE_PAIRS = [pair for pair in itertools.permutations(RATES, 2)]


@pytest.mark.parametrize(("src", "dst"), RATE_PAIRS)
def test_output_length_is_rounded_duration(make_dance, src, dst):
    joints = make_dance(num_frames=37, fps=src)
    expected = int(np.floor(37 * dst / src + 0.5))
    assert resample_joints(joints, src, dst).shape == (expected, 22, 3)
    assert resample_features(joints_to_features(joints, src), src, dst).shape == (expected, 263)


def test_resample_joints_is_exact_for_linear_motion():
    time_60 = np.arange(90) / 60
    joints = np.zeros((90, 2, 3)) + time_60[:, None, None] * np.array([0.5, -0.2, 1.0])
    resampled = resample_joints(joints, 60, 50)
    time_50 = np.arange(len(resampled)) / 50
    np.testing.assert_allclose(
        resampled, np.broadcast_to(time_50[:, None, None] * [0.5, -0.2, 1.0], resampled.shape), atol=1e-6
    )


def test_same_rate_is_identity(make_dance):
    joints = make_dance(num_frames=40)
    features = joints_to_features(joints)
    np.testing.assert_allclose(resample_joints(joints, 60, 60), joints, atol=1e-6)
    np.testing.assert_allclose(resample_features(features, 60, 60), features, atol=1e-6)


def test_upsampling_20_to_60_keeps_speeds_in_physical_units(make_dance):
    seconds, turns = 12.0, 4.5
    joints_20 = make_dance(num_frames=int(20 * seconds), fps=20, turns=turns, velocity=(0.4, 0.9), twist=0.0)
    features_20 = joints_to_features(joints_20, fps=20)
    features_60 = resample_features(features_20, 20, 60)
    angular_20, linear_20 = root_velocities(features_20, 20)
    angular_60, linear_60 = root_velocities(features_60, 60)
    speed_20, speed_60 = np.linalg.norm(linear_20, axis=-1), np.linalg.norm(linear_60, axis=-1)
    assert speed_60.mean() == pytest.approx(speed_20.mean(), rel=0.01)
    assert speed_60.mean() == pytest.approx(np.hypot(0.4, 0.9), rel=0.01)
    # The turning rate away from the ends, where the smoothed facing follows the body.
    turn_rate = turns * 2 * np.pi / ((len(joints_20) - 1) / 20)
    assert np.median(angular_60) == pytest.approx(np.median(angular_20), rel=0.01)
    assert np.median(angular_60) == pytest.approx(turn_rate, rel=0.01)
    # Per-frame displacements shrink by 20/60 while joint velocities in m/s stay the same.
    joint_speed_20 = np.abs(features_20[:, JOINT_VELOCITIES]).mean() * 20
    joint_speed_60 = np.abs(features_60[:, JOINT_VELOCITIES]).mean() * 60
    assert joint_speed_60 == pytest.approx(joint_speed_20, rel=0.02)


@pytest.mark.parametrize(("src", "dst"), [(20, 60), (60, 20), (60, 50), (50, 30), (30, 20)])
def test_joints_from_resampled_features_match_resampled_joints(make_dance, src, dst):
    joints = make_dance(
        num_frames=3 * src, fps=src, turns=0.5, start_heading=0.7, start=(1.0, 2.0), velocity=(0.5, -0.3)
    )
    from_features = features_to_joints(resample_features(joints_to_features(joints, src), src, dst))
    direct = canonicalize_joints(resample_joints(joints, src, dst))
    time = np.arange(len(direct)) / dst
    # The extrapolated tail may differ more, and so may the first source interval: the first frame keeps the
    # canonical facing, so the facing frame jumps to the smoothed facing between the first two frames.
    inside = (time <= (len(joints) - 1) / src) & (time >= 1 / src)
    error = np.linalg.norm(from_features - direct, axis=-1)[inside]  # metres
    # Features interpolate in the turning facing frame, joints in the world frame: second-order differences.
    assert error.max() < 0.01
    assert error.mean() < 0.002


def test_resampled_contacts_stay_binary_and_positions_interpolate(make_dance):
    features = joints_to_features(make_dance(num_frames=60, fps=30), fps=30)
    resampled = resample_features(features, 30, 50)
    assert set(np.unique(resampled[:, FOOT_CONTACTS])) <= {0.0, 1.0}
    # Output frame 3 at 50 fps is source frame 1.8 at 30 fps.
    expected = 0.2 * features[1, JOINT_POSITIONS] + 0.8 * features[2, JOINT_POSITIONS]
    np.testing.assert_allclose(resampled[3, JOINT_POSITIONS], expected, atol=1e-6)


def test_resampling_rejects_bad_input(make_dance):
    joints = make_dance(num_frames=5)
    with pytest.raises(MotionError, match="at least 3"):
        resample_joints(joints, 60, 20)
    with pytest.raises(MotionError, match="dst_fps must be a positive"):
        resample_joints(joints, 60, -1)
    with pytest.raises(MotionError, match="one clip"):
        resample_features(np.zeros((2, 10, 263)), 60, 30)
