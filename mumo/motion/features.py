"""HumanML3D-style 263-d motion features for the 22-joint skeleton, and their inverse.

Layout of one frame's vector (HumanML3D order; "facing frame" = the root's frame turned about y so the
body faces +z, origin under the root):

==========  =====  =============================================================================
channels    width  content
==========  =====  =============================================================================
0           1      root angular velocity about y, HumanML3D convention: half the per-frame change
                   of the world→facing rotation angle, i.e. ``-0.5 * d(heading)``, radians/frame
1:3         2      root linear velocity (x, z) in the next frame's facing frame, metres/frame
3           1      root height (y), metres
4:67        21×3   positions of joints 1..21 relative to the root's floor projection, facing frame, m
67:193      21×6   6-D local rotation of joints 1..21 (bone alignment with the rest pose), facing frame
193:259     22×3   velocity of all 22 joints in the current frame's facing frame, metres/frame
259:263     4      foot contacts (left ankle, left toe, right ankle, right toe), 0 or 1
==========  =====  =============================================================================

Compatibility: channels 0..66 and 193..258 follow HumanML3D's definitions (same conventions, per-frame
units), so HumanML3D's own feature files can be turned into joints with :func:`features_to_joints`
(at their 20 fps). The 6-D rotations (bone alignment in the facing frame, see
:func:`_local_bone_rotations`) and the contact rule (speed in m/s and height, instead of a per-frame
displacement threshold) are mumo's own; neither is used by the inverse.

Frame count: the conversion is **length-preserving**: ``T`` joint frames ↔ ``T`` feature rows.
Velocities in row ``t`` are forward differences (frame ``t`` → ``t+1``) as in HumanML3D, which has
``T-1`` rows; mumo adds a last row whose velocities and contacts repeat row ``T-2``. The inverse
integrates only rows ``0..T-2``, so the round trip is exact for all ``T`` frames. Velocity channels are
per-frame quantities: multiply by the frame rate for m/s and rad/s (see :func:`root_velocities`), and
use :func:`mumo.motion.resample.resample_features` to change the frame rate.

Canonical start: the features are invariant to a rotation about y and a horizontal translation of the
whole clip, so :func:`features_to_joints` returns the clip with its first frame's root above the origin
and facing +z (root height is kept as given; the floor is y = 0). :func:`canonicalize_joints` applies
the same placement to a joint clip.
"""

from __future__ import annotations

import numpy as np

from mumo.motion.rotations import heading_angles, matrix_to_6d, rotation_between, yaw_matrices
from mumo.motion.skeleton import SMPL22
from mumo.motion.validate import validate_features, validate_fps, validate_joints

NUM_JOINTS = 22
FEATURE_DIM = 263

ROOT_ANGULAR_VELOCITY = slice(0, 1)
ROOT_LINEAR_VELOCITY = slice(1, 3)
ROOT_HEIGHT = slice(3, 4)
JOINT_POSITIONS = slice(4, 4 + (NUM_JOINTS - 1) * 3)
JOINT_ROTATIONS = slice(JOINT_POSITIONS.stop, JOINT_POSITIONS.stop + (NUM_JOINTS - 1) * 6)
JOINT_VELOCITIES = slice(JOINT_ROTATIONS.stop, JOINT_ROTATIONS.stop + NUM_JOINTS * 3)
FOOT_CONTACTS = slice(JOINT_VELOCITIES.stop, JOINT_VELOCITIES.stop + 4)
ROOT_CHANNELS = slice(ROOT_ANGULAR_VELOCITY.start, ROOT_HEIGHT.stop)
VELOCITY_CHANNELS = np.r_[ROOT_ANGULAR_VELOCITY, ROOT_LINEAR_VELOCITY, JOINT_VELOCITIES]
"""Indices of the per-frame velocity channels (change with the frame rate)."""

CONTACT_SPEED = 0.5
"""A foot joint slower than this (m/s) and within :data:`CONTACT_HEIGHT` of its lowest point is in contact."""
CONTACT_HEIGHT = 0.05
"""Metres above the joint's lowest height in the clip within which a slow foot joint counts as in contact."""

_FLOOR = np.array([1.0, 0.0, 1.0])


def joints_to_features(
    joints: np.ndarray,
    fps: float = 60.0,
    contact_speed: float = CONTACT_SPEED,
    contact_height: float = CONTACT_HEIGHT,
) -> np.ndarray:
    """Per-frame 263-d features of a 22-joint clip (layout in the module docstring).

    Args:
        joints: ``[T, 22, 3]`` joint positions, metres, y up, floor at y = 0, ``T >= 3``.
        fps: frame rate of ``joints`` (frames per second); velocity channels are stored per frame at
            this rate, ``fps`` only sets the foot-contact speed threshold.
        contact_speed: foot-contact speed threshold, m/s.
        contact_height: foot-contact height threshold above the joint's lowest point, metres.

    Returns:
        ``[T, 263]`` float32 features, one row per joint frame.

    Raises:
        MotionError: if ``joints`` or ``fps`` are invalid.
    """
    joints = validate_joints(joints, NUM_JOINTS)
    fps = validate_fps(fps)
    heading = heading_angles(joints, SMPL22)  # [T]
    to_facing = yaw_matrices(-heading)  # [T, 3, 3]
    root = joints[:, 0]  # [T, 3]
    relative = np.einsum("tij,tkj->tki", to_facing, joints - root[:, None] * _FLOOR)  # [T, 22, 3]
    local_velocity = np.einsum("tij,tkj->tki", to_facing[:-1], np.diff(joints, axis=0))  # [T-1, 22, 3]

    num_frames = len(joints)
    features = np.concatenate(
        [
            root_channels(heading, root),
            relative[:, 1:].reshape(num_frames, -1),
            matrix_to_6d(_local_bone_rotations(relative)).reshape(num_frames, -1),
            _repeat_last(local_velocity.reshape(num_frames - 1, -1)),
            _foot_contacts(joints, fps, contact_speed, contact_height),
        ],
        axis=-1,
    )
    return features.astype(np.float32)


def features_to_joints(features: np.ndarray) -> np.ndarray:
    """Joint positions from features, integrating the root's rotation and translation velocities.

    Args:
        features: ``[T, 263]`` or ``[B, T, 263]`` (de-normalised) features.

    Returns:
        ``[T, 22, 3]`` or ``[B, T, 22, 3]`` float32 joint positions in metres, y up, with the first
        frame's root above the origin facing +z (the canonical start).

    Raises:
        MotionError: if ``features`` are invalid.
    """
    features = validate_features(features, FEATURE_DIM)
    heading, root = root_trajectory(features)
    to_world = yaw_matrices(heading)  # [..., T, 3, 3]
    relative = features[..., JOINT_POSITIONS].reshape(*features.shape[:-1], NUM_JOINTS - 1, 3)
    body = np.einsum("...ij,...kj->...ki", to_world, relative) + (root * _FLOOR)[..., None, :]
    return np.concatenate([root[..., None, :], body], axis=-2).astype(np.float32)


def root_velocities(features: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """The root's turning rate and horizontal velocity in physical units.

    Args:
        features: ``[..., T, 263]`` features at ``fps``.
        fps: their frame rate, frames per second.

    Returns:
        ``(angular [..., T] rad/s about +y (positive turns +z towards +x), linear [..., T, 2] m/s as
        (x, z) in the facing frame)``.
    """
    features = validate_features(features, FEATURE_DIM)
    fps = validate_fps(fps)
    angular = -2.0 * features[..., ROOT_ANGULAR_VELOCITY.start] * fps
    return angular, features[..., ROOT_LINEAR_VELOCITY] * fps


def canonicalize_joints(joints: np.ndarray) -> np.ndarray:
    """Move a clip so its first frame's root is above the origin and faces +z (height unchanged).

    This is the placement :func:`features_to_joints` returns, so
    ``features_to_joints(joints_to_features(j)) ≈ canonicalize_joints(j)``.

    Args:
        joints: ``[T, 22, 3]`` joint positions, metres, y up.

    Returns:
        ``[T, 22, 3]`` float64 joint positions.
    """
    joints = validate_joints(joints, NUM_JOINTS)
    to_facing = yaw_matrices(-heading_angles(joints[0], SMPL22))
    return (joints - joints[0, 0] * _FLOOR) @ to_facing.T


def root_channels(heading: np.ndarray, root: np.ndarray) -> np.ndarray:
    """Channels 0..3 (root angular velocity, linear velocity, height) of a root trajectory.

    Args:
        heading: ``[T]`` facing angles, radians (positive turns +z towards +x).
        root: ``[T, 3]`` root positions, metres.

    Returns:
        ``[T, 4]`` per-frame channels as described in the module docstring (last row repeats).
    """
    to_facing = yaw_matrices(-heading[1:])  # [T-1, 3, 3]
    angular = -0.5 * _wrap_angle(np.diff(heading))[:, None]
    linear = np.einsum("tij,tj->ti", to_facing, np.diff(root, axis=0))[:, [0, 2]]
    return np.concatenate([_repeat_last(angular), _repeat_last(linear), root[:, 1:2]], axis=-1)


def root_trajectory(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integrate the root channels of features into the root's path (canonical start).

    Args:
        features: ``[T, 263]`` or ``[B, T, 263]`` (de-normalised) features.

    Returns:
        ``(heading [..., T] radians, unwrapped, 0 in the first frame; root [..., T, 3] metres, x = z = 0
        in the first frame)``.

    Raises:
        MotionError: if ``features`` are invalid.
    """
    features = validate_features(features, FEATURE_DIM)
    half_turns = np.zeros(features.shape[:-1])
    half_turns[..., 1:] = np.cumsum(features[..., :-1, ROOT_ANGULAR_VELOCITY.start], axis=-1)
    heading = -2.0 * half_turns
    step = np.zeros((*features.shape[:-1], 3))
    step[..., 1:, [0, 2]] = features[..., :-1, ROOT_LINEAR_VELOCITY]
    root = np.cumsum(np.einsum("...ij,...j->...i", yaw_matrices(heading), step), axis=-2)
    root[..., 1] = features[..., ROOT_HEIGHT.start]
    return heading, root


def _local_bone_rotations(relative: np.ndarray) -> np.ndarray:
    """Local rotation of joints 1..21 that aligns each rest-pose bone with the observed one.

    Each bone (parent → joint) gets the smallest rotation taking its rest direction onto its observed
    direction in the facing frame; a joint's local rotation is its parent bone's rotation inverted times
    its own (the root's is the identity, the facing frame itself).

    Args:
        relative: ``[T, 22, 3]`` facing-frame joint positions.

    Returns:
        ``[T, 21, 3, 3]`` rotation matrices.
    """
    parents = np.asarray(SMPL22.parents[1:])
    bones = relative[:, 1:] - relative[:, parents]  # [T, 21, 3]
    bone_rotations = rotation_between(SMPL22.rest_offsets[1:], bones)  # [T, 21, 3, 3]
    identity = np.broadcast_to(np.eye(3), (len(relative), 1, 3, 3))
    global_rotations = np.concatenate([identity, bone_rotations], axis=1)  # [T, 22, 3, 3]
    return np.swapaxes(global_rotations[:, parents], -1, -2) @ bone_rotations


def _foot_contacts(joints: np.ndarray, fps: float, contact_speed: float, contact_height: float) -> np.ndarray:
    """``[T, 4]`` 0/1 contacts of (left ankle, left toe, right ankle, right toe)."""
    feet = joints[:, [*SMPL22.left_foot, *SMPL22.right_foot]]  # [T, 4, 3]
    speed = _repeat_last(np.linalg.norm(np.diff(feet, axis=0), axis=-1)) * fps  # [T, 4] m/s
    height = feet[..., 1] - feet[..., 1].min(axis=0)
    return ((speed < contact_speed) & (height < contact_height)).astype(np.float64)


def _repeat_last(rows: np.ndarray) -> np.ndarray:
    """Append a copy of the last row (forward differences ``[T-1, ...]`` → ``[T, ...]``)."""
    return np.concatenate([rows, rows[-1:]], axis=0)


def _wrap_angle(angles: np.ndarray) -> np.ndarray:
    """Angles wrapped to ``[-pi, pi)``."""
    return (angles + np.pi) % (2.0 * np.pi) - np.pi
