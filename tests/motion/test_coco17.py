import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from mumo.errors import MotionError
from mumo.motion.coco17 import COCO17_NAMES, coco17_to_smpl24, recognise_keypoint_unit
from mumo.motion.skeleton import SMPL24

from ..data.adapter_fixtures import coco17_from_smpl24, smpl24_dance

LIMBS = [SMPL24.joint_names.index(name) for name in COCO17_NAMES[5:]]
ESTIMATED = [joint for joint in range(24) if joint not in LIMBS]


def test_the_rest_pose_comes_back():
    rest = np.broadcast_to(SMPL24.rest_joints(), (3, 24, 3))
    estimate = coco17_to_smpl24(coco17_from_smpl24(rest))
    error = np.linalg.norm(estimate - rest, axis=-1).max(axis=0)
    # Trunk and toes are the rest offsets themselves; head and hands lie along a line near their rest offset.
    assert error[[0, 3, 6, 9, 10, 11, 12, 13, 14]].max() < 1e-9
    assert error.max() < 0.02


def test_a_dance_keeps_its_limbs_and_estimates_the_rest_within_centimetres():
    truth = smpl24_dance(600, seed=1)  # every joint turns by up to 0.4 rad, spine included
    estimate = coco17_to_smpl24(coco17_from_smpl24(truth))
    error = np.linalg.norm(estimate - truth, axis=-1)  # [T, 24], metres
    np.testing.assert_allclose(estimate[:, LIMBS], truth[:, LIMBS], atol=1e-12)
    # Measured: mean 1.8 (pelvis) to 6.0 cm (spine3), largest 9.0 cm (spine2).
    assert error[:, ESTIMATED].mean(axis=0).max() < 0.07
    assert error[:, ESTIMATED].max() < 0.11


def test_turning_the_dancer_turns_the_estimate():
    keypoints = coco17_from_smpl24(smpl24_dance(60, seed=2))
    turn = Rotation.from_euler("y", 130, degrees=True).as_matrix()
    np.testing.assert_allclose(
        coco17_to_smpl24(keypoints @ turn.T), coco17_to_smpl24(keypoints) @ turn.T, atol=1e-9
    )


def test_a_smaller_dancer_gets_a_proportionally_smaller_estimate():
    keypoints = coco17_from_smpl24(smpl24_dance(60, seed=3))
    smaller = coco17_to_smpl24(0.8 * keypoints)
    np.testing.assert_allclose(smaller, 0.8 * coco17_to_smpl24(keypoints), atol=1e-9)


@pytest.mark.parametrize("unit", [1.0, 100.0, 1000.0])
def test_units_are_recognised_from_the_body_size(unit):
    keypoints = coco17_from_smpl24(smpl24_dance(30, seed=4))
    assert recognise_keypoint_unit(keypoints * unit) == unit


def test_bad_keypoints_are_refused():
    keypoints = coco17_from_smpl24(smpl24_dance(30, seed=5))
    with pytest.raises(MotionError, match="17"):
        coco17_to_smpl24(keypoints[:, :13])
    broken = keypoints.copy()
    broken[4, 2] = np.nan
    with pytest.raises(MotionError, match="NaN"):
        coco17_to_smpl24(broken)
    collapsed = keypoints.copy()
    collapsed[:, COCO17_NAMES.index("right_hip")] = collapsed[:, COCO17_NAMES.index("left_hip")]
    with pytest.raises(MotionError, match="coincide"):
        coco17_to_smpl24(collapsed)
