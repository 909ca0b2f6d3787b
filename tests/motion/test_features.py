import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.motion import (
    FEATURE_DIM,
    canonicalize_joints,
    features_to_joints,
    joints_to_features,
    root_velocities,
)
from mumo.motion.features import (
    FOOT_CONTACTS,
    JOINT_POSITIONS,
    JOINT_ROTATIONS,
    JOINT_VELOCITIES,
    ROOT_HEIGHT,
    VELOCITY_CHANNELS,
)
from mumo.motion.rotations import heading_angles, matrix_to_6d, rotation_between, yaw_matrices
from mumo.motion.skeleton import SMPL22

DANCES = {
    "full_turn_off_origin": {
        "turns": 1.0,
        "start_heading": 2.0,
        "start": (1.5, -2.0),
        "velocity": (0.3, 0.4),
    },
    "double_turn_backwards": {"turns": -2.0, "start_heading": -2.5, "velocity": (0.0, -0.6)},
    "travel_no_turn": {"turns": 0.0, "start": (-3.0, 4.0), "velocity": (1.2, 0.0), "bounce": 0.1},
    "arm_swings_in_place": {"turns": 0.0, "velocity": (0.0, 0.0), "swing": 1.4},
}


def test_layout_covers_263_channels_in_humanml3d_order():
    assert FEATURE_DIM == 263
    assert (ROOT_HEIGHT.start, JOINT_POSITIONS.start, JOINT_ROTATIONS.start) == (3, 4, 67)
    assert (JOINT_VELOCITIES.start, FOOT_CONTACTS.start, FOOT_CONTACTS.stop) == (193, 259, 263)
    assert len(VELOCITY_CHANNELS) == 1 + 2 + 22 * 3


def test_conversion_is_length_preserving(make_dance):
    joints = make_dance(num_frames=50)
    features = joints_to_features(joints)
    assert features.shape == (50, FEATURE_DIM)
    assert features.dtype == np.float32
    assert features_to_joints(features).shape == (50, 22, 3)


@pytest.mark.parametrize("name", sorted(DANCES))
def test_round_trip_recovers_canonical_positions(make_dance, name):
    joints = make_dance(**DANCES[name])
    recovered = features_to_joints(joints_to_features(joints, fps=60))
    np.testing.assert_allclose(recovered, canonicalize_joints(joints), atol=1e-4)


def test_inverse_starts_at_origin_facing_plus_z(make_dance):
    joints = make_dance(**DANCES["full_turn_off_origin"])
    recovered = features_to_joints(joints_to_features(joints))
    np.testing.assert_allclose(recovered[0, 0, [0, 2]], 0.0, atol=1e-6)
    assert recovered[0, 0, 1] == pytest.approx(joints[0, 0, 1], abs=1e-6)
    assert heading_angles(recovered[0], SMPL22) == pytest.approx(0.0, abs=1e-5)
    # Aligning the original's first frame by hand gives the same clip.
    offset = joints[0, 0] * np.array([1.0, 0.0, 1.0])
    aligned = (joints - offset) @ yaw_matrices(-heading_angles(joints[0], SMPL22)).T
    np.testing.assert_allclose(recovered, aligned, atol=1e-4)


def test_features_ignore_global_yaw_and_horizontal_offset(make_dance):
    joints = make_dance(num_frames=120)
    moved = joints @ yaw_matrices(np.array(1.1)).T + np.array([3.0, 0.0, -7.0])
    features, moved_features = joints_to_features(joints), joints_to_features(moved)
    np.testing.assert_allclose(
        moved_features[:, : FOOT_CONTACTS.start], features[:, : FOOT_CONTACTS.start], atol=1e-5
    )


def test_root_velocities_in_physical_units(make_dance):
    fps, seconds = 30.0, 4.0
    joints = make_dance(num_frames=int(fps * seconds) + 1, fps=fps, turns=1.0, twist=0.0)
    angular, linear = root_velocities(joints_to_features(joints, fps=fps), fps)
    np.testing.assert_allclose(angular, 2 * np.pi / seconds, rtol=1e-5)
    np.testing.assert_allclose(linear, 0.0, atol=1e-6)

    straight = make_dance(num_frames=61, fps=fps, turns=0.0, velocity=(0.0, 0.8), twist=0.0)
    _, linear = root_velocities(joints_to_features(straight, fps=fps), fps)
    np.testing.assert_allclose(linear, np.broadcast_to([0.0, 0.8], linear.shape), atol=1e-5)


def test_root_height_and_rest_pose_channels():
    rest = np.broadcast_to(SMPL22.rest_joints(), (5, 22, 3))
    features = joints_to_features(rest)
    np.testing.assert_allclose(features[:, ROOT_HEIGHT.start], rest[:, 0, 1], atol=1e-6)
    expected_relative = rest[0, 1:] - rest[0, 0] * np.array([1.0, 0.0, 1.0])
    positions = features[:, JOINT_POSITIONS].reshape(5, 21, 3)
    np.testing.assert_allclose(positions, np.broadcast_to(expected_relative, positions.shape), atol=1e-6)
    identity_6d = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    sixd = features[:, JOINT_ROTATIONS].reshape(5, 21, 6)
    np.testing.assert_allclose(sixd, np.broadcast_to(identity_6d, sixd.shape), atol=1e-6)
    np.testing.assert_allclose(features[:, VELOCITY_CHANNELS], 0.0, atol=1e-7)
    np.testing.assert_array_equal(features[:, FOOT_CONTACTS], 1.0)


def test_six_d_rotation_recovers_a_knee_swing():
    knee, ankle = 4, 7
    bone = SMPL22.rest_offsets[ankle]
    bend = rotation_between(bone, np.cross(bone, [1.0, 0.0, 0.0]) + 0.4 * bone)
    rotations = np.broadcast_to(np.eye(3), (4, 22, 3, 3)).copy()
    rotations[:, knee] = bend
    joints = SMPL22.forward_kinematics(rotations, np.tile([0.0, 0.93, 0.0], (4, 1)))
    sixd = joints_to_features(joints)[:, JOINT_ROTATIONS].reshape(4, 21, 6)
    np.testing.assert_allclose(sixd[:, ankle - 1], np.broadcast_to(matrix_to_6d(bend), (4, 6)), atol=1e-6)


def test_six_d_rotations_are_orthonormal_and_finite_for_degenerate_bones(make_dance):
    joints = make_dance(num_frames=30)
    joints[:, 20] = joints[:, 18]  # zero-length forearm
    joints[10:, 15] = 2 * joints[10:, 12] - joints[10:, 15]  # head flipped through the neck
    sixd = joints_to_features(joints)[:, JOINT_ROTATIONS].reshape(30, 21, 2, 3).astype(np.float64)
    assert np.isfinite(sixd).all()
    np.testing.assert_allclose(np.linalg.norm(sixd, axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.sum(sixd[..., 0, :] * sixd[..., 1, :], axis=-1), 0.0, atol=1e-5)


def test_foot_contacts_follow_foot_speed_and_height():
    num_frames = 60
    joints = np.broadcast_to(SMPL22.rest_joints(), (num_frames, 22, 3)).copy()
    lift = np.linspace(0.0, 0.6, num_frames)
    joints[:, [*SMPL22.left_foot, 4]] += np.stack([0 * lift, lift, lift], -1)[:, None]  # left leg swings up
    contacts = joints_to_features(joints, fps=60)[:, FOOT_CONTACTS]
    np.testing.assert_array_equal(contacts[:, 2:], 1.0)  # right foot planted
    np.testing.assert_array_equal(contacts[:, :2], 0.0)  # left foot moving at 0.86 m/s
    slow = joints_to_features(joints, fps=60, contact_speed=1.0)[:, FOOT_CONTACTS]
    assert slow[0, 0] == 1.0  # slow enough and low
    assert slow[-1, 0] == 0.0  # slow enough, but too high


def test_batched_inverse_matches_single_clips(make_dance):
    features = np.stack([joints_to_features(make_dance(num_frames=40, **DANCES[name])) for name in DANCES])
    batched = features_to_joints(features)
    assert batched.shape == (len(DANCES), 40, 22, 3)
    for index in range(len(DANCES)):
        np.testing.assert_allclose(batched[index], features_to_joints(features[index]), atol=1e-6)


def test_conversions_validate_their_input(make_dance):
    joints = make_dance(num_frames=10)
    joints[4, 3, 1] = np.nan
    with pytest.raises(MotionError, match="1 NaN/Inf values \\(first at frame 4\\)"):
        joints_to_features(joints)
    with pytest.raises(MotionError, match="263 wide"):
        features_to_joints(np.zeros((10, 262)))
    with pytest.raises(MotionError, match="positive frame rate"):
        joints_to_features(make_dance(num_frames=10), fps=0)
    with pytest.raises(MotionError, match="\\[T, 22, 3\\]"):
        canonicalize_joints(np.zeros((10, 24, 3)))
