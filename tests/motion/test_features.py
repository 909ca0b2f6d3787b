from itertools import pairwise

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
    CONTACT_SPEED,
    FACING_SMOOTHING_S,
    FOOT_CONTACTS,
    JOINT_POSITIONS,
    JOINT_ROTATIONS,
    JOINT_VELOCITIES,
    ROOT_CHANNELS,
    ROOT_HEIGHT,
    VELOCITY_CHANNELS,
    root_trajectory,
)
from mumo.motion.inverse_kinematics import CHAINS, REST_DIRECTIONS
from mumo.motion.rotations import heading_angles, yaw_matrices
from mumo.motion.skeleton import SMPL22
from tests.realdata import realdata

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
    fps, seconds, turns = 30.0, 12.0, 3.0
    joints = make_dance(num_frames=int(fps * seconds) + 1, fps=fps, turns=turns, twist=0.0)
    angular, linear = root_velocities(joints_to_features(joints, fps=fps), fps)
    # Away from the ends (4 sigma of the facing smoothing) the smoothed facing turns with the body.
    margin = int(4 * FACING_SMOOTHING_S * fps) + 1
    interior = slice(margin, -margin)
    np.testing.assert_allclose(angular[interior], turns * 2 * np.pi / seconds, rtol=1e-5)
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
    np.testing.assert_allclose(features[:, VELOCITY_CHANNELS], 0.0, atol=1e-7)
    np.testing.assert_array_equal(features[:, FOOT_CONTACTS], 1.0)


@pytest.mark.parametrize("name", sorted(DANCES))
def test_rotations_carry_the_rest_directions_onto_the_bones(make_dance, name):
    """Walking each chain, local rotations compose into the swings that point every rest direction
    along its bone, starting from the world -> facing rotation."""
    joints = canonicalize_joints(make_dance(num_frames=40, **DANCES[name]))
    features = joints_to_features(joints)
    sixd = features[:, JOINT_ROTATIONS].reshape(40, 21, 2, 3).astype(np.float64)
    first, second = sixd[..., 0, :], sixd[..., 1, :]
    local = np.stack([first, second, np.cross(first, second)], axis=-1)  # columns of each matrix
    heading, _ = root_trajectory(features)
    for chain in CHAINS:
        swing = yaw_matrices(-heading)
        for parent, joint in pairwise(chain):
            swing = swing @ local[:, joint - 1]
            bone = joints[:, joint] - joints[:, parent]
            np.testing.assert_allclose(
                swing @ REST_DIRECTIONS[joint], bone / np.linalg.norm(bone, axis=-1, keepdims=True), atol=1e-5
            )


def test_six_d_rotations_are_orthonormal_and_finite_for_degenerate_bones(make_dance):
    joints = make_dance(num_frames=30)
    joints[:, 20] = joints[:, 18]  # zero-length forearm
    joints[10:, 15] = 2 * joints[10:, 12] - joints[10:, 15]  # head flipped through the neck
    sixd = joints_to_features(joints)[:, JOINT_ROTATIONS].reshape(30, 21, 2, 3).astype(np.float64)
    assert np.isfinite(sixd).all()
    np.testing.assert_allclose(np.linalg.norm(sixd, axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.sum(sixd[..., 0, :] * sixd[..., 1, :], axis=-1), 0.0, atol=1e-5)


@pytest.mark.parametrize("fps", [20.0, 60.0])
def test_foot_contacts_follow_foot_speed_at_any_frame_rate(fps):
    seconds = 1.0
    num_frames = int(fps * seconds)
    joints = np.broadcast_to(SMPL22.rest_joints(), (num_frames, 22, 3)).copy()
    time = np.arange(num_frames)[:, None] / fps
    slow, fast = 0.9 * CONTACT_SPEED, 1.1 * CONTACT_SPEED  # m/s
    joints[:, list(SMPL22.left_foot)] += (slow * time * [0.0, 0.6, 0.8])[:, None]  # sliding up, slowly
    joints[:, list(SMPL22.right_foot)] += (fast * time * [0.0, 0.0, 1.0])[:, None]
    contacts = joints_to_features(joints, fps=fps)[:, FOOT_CONTACTS]
    np.testing.assert_array_equal(contacts[:, :2], 1.0)  # slow: a contact whatever its height
    np.testing.assert_array_equal(contacts[:, 2:], 0.0)
    assert pytest.approx(np.sqrt(0.002) * 20) == CONTACT_SPEED  # HumanML3D: 0.002 m² per frame at 20 fps


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


def test_humanml3d_feature_files_are_reproduced():
    joints = np.load(realdata("humanml3d/new_joints/012314.npy")).astype(np.float64)  # [170, 22, 3], 20 fps
    official = np.load(realdata("humanml3d/new_joint_vecs/012314.npy")).astype(np.float64)  # [170, 263]
    np.testing.assert_allclose(features_to_joints(official), joints, atol=1e-6)
    groups = (ROOT_CHANNELS, JOINT_POSITIONS, JOINT_ROTATIONS, JOINT_VELOCITIES)

    # HumanML3D computed its 170 rows from 171 frames; the 171st follows from the last row's velocities.
    heading, _ = root_trajectory(official)
    step = official[-1, JOINT_VELOCITIES].reshape(22, 3) @ yaw_matrices(heading[-1]).T
    features = joints_to_features(np.concatenate([joints, joints[-1:] + step]), fps=20)[:-1]
    for channels in groups:
        np.testing.assert_allclose(features[:, channels], official[:, channels], atol=1e-4)
    np.testing.assert_array_equal(features[:, FOOT_CONTACTS], official[:, FOOT_CONTACTS])

    # From the 170 kept frames alone, only the last 2 s (the facing smoothing reaching past the end) differ.
    features = joints_to_features(joints, fps=20)
    early = slice(0, len(joints) - int(2 * FACING_SMOOTHING_S * 20) - 1)
    for channels in groups:
        np.testing.assert_allclose(features[early, channels], official[early, channels], atol=1e-3)
    assert np.mean(features[:, FOOT_CONTACTS] == official[:, FOOT_CONTACTS]) >= 0.98


@pytest.mark.parametrize("name", sorted(DANCES))
def test_the_mumo_dance_variant_has_the_same_inverse(make_dance, name):
    joints = make_dance(**DANCES[name])
    features = joints_to_features(joints, version=1)
    np.testing.assert_allclose(features_to_joints(features), canonicalize_joints(joints), atol=1e-4)
    other = joints_to_features(joints)
    assert not np.allclose(features[:, JOINT_ROTATIONS], other[:, JOINT_ROTATIONS])  # a definition of its own
    with pytest.raises(MotionError, match="unknown motion-feature definition 3"):
        joints_to_features(joints, version=3)
