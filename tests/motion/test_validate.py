import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.motion import validate_features, validate_joints
from mumo.motion.validate import validate_fps


def test_valid_joints_come_back_as_float64():
    joints = np.zeros((4, 22, 3), dtype=np.float32)
    checked = validate_joints(joints)
    assert checked.dtype == np.float64
    assert checked.shape == (4, 22, 3)
    assert validate_joints(np.zeros((4, 24, 3)), expected_joints=None).shape == (4, 24, 3)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((22, 3), "rank 2"),
        ((4, 24, 3), "\\[T, 22, 3\\], got \\(4, 24, 3\\)"),
        ((4, 22, 2), "x, y, z"),
        ((2, 22, 3), "2 frames; at least 3"),
    ],
)
def test_joint_shape_errors(shape, message):
    with pytest.raises(MotionError, match=message):
        validate_joints(np.zeros(shape))


def test_non_finite_joints_report_count_and_first_frame():
    joints = np.zeros((10, 22, 3))
    joints[6, 2, 0] = np.inf
    joints[8, :2, 1] = np.nan
    with pytest.raises(MotionError, match="3 NaN/Inf values \\(first at frame 6\\)"):
        validate_joints(joints)


def test_feature_errors():
    assert validate_features(np.zeros((2, 5, 263))).shape == (2, 5, 263)
    with pytest.raises(MotionError, match="263 wide, got 66"):
        validate_features(np.zeros((5, 66)))
    with pytest.raises(MotionError, match="rank 1"):
        validate_features(np.zeros(263))
    with pytest.raises(MotionError, match="1 frames"):
        validate_features(np.zeros((1, 263)))
    features = np.zeros((2, 7, 263))
    features[1, 5, 10] = np.nan
    with pytest.raises(MotionError, match="first at frame 5"):
        validate_features(features)
    with pytest.raises(MotionError, match="numeric"):
        validate_features([["a"] * 263] * 3)


@pytest.mark.parametrize("fps", [0, -20, float("nan"), float("inf")])
def test_bad_frame_rates(fps):
    with pytest.raises(MotionError, match="positive frame rate"):
        validate_fps(fps)
