"""HumanML3D's 263-d motion features of the 22-joint skeleton, and their inverse.

Layout of one frame's vector (HumanML3D's order and definition; "facing frame" = the world turned about y by
the frame's facing angle so the body faces +z, origin under the root):

==========  =====  =============================================================================
channels    width  content
==========  =====  =============================================================================
0           1      root angular velocity about y: half the per-frame change of the world→facing
                   rotation angle, i.e. ``-0.5 * d(heading)``, radians/frame
1:3         2      root linear velocity (x, z) in the next frame's facing frame, metres/frame
3           1      root height (y), metres
4:67        21×3   positions of joints 1..21 relative to the root's floor projection, facing frame, m
67:193      21×6   6-D local rotation of joints 1..21 (:mod:`mumo.motion.inverse_kinematics`)
193:259     22×3   velocity of all 22 joints in the current frame's facing frame, metres/frame
259:263     4      foot contacts (left ankle, left toe, right ankle, right toe), 0 or 1
==========  =====  =============================================================================

The definition is HumanML3D's (``motion_representation`` of its dataset scripts), so its files, its Mean/Std,
its evaluators and tokenizers trained on it fit mumo's features; on HumanML3D's own clips
:func:`joints_to_features` reproduces its ``new_joint_vecs`` from its ``new_joints``. In detail:

- the clip is first placed at its canonical start (:func:`canonicalize_joints`: first frame's root above the
  origin, facing +z by its hips and shoulders), as HumanML3D's files are;
- the facing angle of every frame is :func:`~mumo.motion.rotations.smoothed_heading_angles` (shoulders
  against hips, Gaussian-smoothed with ``sigma`` = :data:`FACING_SMOOTHING_S` seconds: 20 frames at
  HumanML3D's 20 fps), except the first frame, which keeps the canonical facing (angle 0);
- rotations come from HumanML3D's inverse kinematics, each chain starting from the world→facing rotation;
- a foot joint is in contact while it moves less than :data:`CONTACT_SPEED` (HumanML3D: a squared per-frame
  displacement below 0.002 m² at 20 fps; at ``fps`` the displacement threshold is ``CONTACT_SPEED / fps``).

At other frame rates the same definition holds with these two thresholds converted from seconds and m/s.
HumanML3D also retargets every body to one skeleton and puts it on the floor before computing features; mumo
takes the joints as given (floor at y = 0). :data:`FEATURE_VERSION` names this definition.

mumo keeps one variant of its own, **mumo_dance** (definition 1, ``joints_to_features(..., version=1)``): the
same layout and the same inverse, but the facing of every frame is the unsmoothed shoulders-and-hips facing,
the rotations align each rest-pose bone with the observed one in that frame, and a foot joint is in contact
while slower than 0.5 m/s within 5 cm of its lowest height. Dance spins and quick turns, which a 1-s
smoothing of the facing smears, stay in the root channels; the demo's motion tokenizer reconstructs the
synthetic dances 3x better with it (docs/quality.md), so the demo uses it. Statistics and tokenizers record
the definition they were made with (:data:`FEATURE_DEFINITIONS`), and features are computed with theirs.

Frame count: the conversion is **length-preserving**: ``T`` joint frames ↔ ``T`` feature rows. Velocities and
contacts in row ``t`` are forward differences (frame ``t`` → ``t+1``) as in HumanML3D, which has ``T-1`` rows
(rows ``0..T-2`` here are HumanML3D's); mumo adds a last row whose positions, rotations and height are
its frame's and whose velocities and contacts repeat row ``T-2``. The inverse integrates only rows
``0..T-2``, so the round trip is exact for all ``T`` frames. Velocity channels are per-frame quantities:
multiply by the frame rate for m/s and rad/s (see :func:`root_velocities`), and use
:func:`mumo.motion.resample.resample_features` to change the frame rate.

Canonical start: the features are invariant to a rotation about y and a horizontal translation of the whole
clip, so :func:`features_to_joints` returns the clip with its first frame's root above the origin and facing
+z (root height is kept as given; the floor is y = 0).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mumo.errors import MotionError
from mumo.motion.inverse_kinematics import chain_rotations
from mumo.motion.rotations import (
    heading_angles,
    matrix_to_6d,
    rotation_between,
    smoothed_heading_angles,
    yaw_matrices,
)
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
CONTACT_JOINTS = (*SMPL22.left_foot, *SMPL22.right_foot)
"""The joints of the four contact channels, in their order: left ankle, left toe, right ankle, right toe."""
ROOT_CHANNELS = slice(ROOT_ANGULAR_VELOCITY.start, ROOT_HEIGHT.stop)
POSITION_CHANNELS = slice(ROOT_ANGULAR_VELOCITY.start, JOINT_POSITIONS.stop)
"""The root channels and the joint positions: the features the joints' positions are rebuilt from."""
VELOCITY_CHANNELS = np.r_[ROOT_ANGULAR_VELOCITY, ROOT_LINEAR_VELOCITY, JOINT_VELOCITIES]
"""Indices of the per-frame velocity channels (change with the frame rate)."""

FEATURE_VERSION = 2
"""Version of HumanML3D's feature definition, the default (this module)."""
MUMO_DANCE_VERSION = 1
"""Version of mumo's dance variant (unsmoothed facing, rotations aligning mumo's rest bones, contacts from
speed and height); statistics and tokenizers fit only the definition they were made with."""
FEATURE_DEFINITIONS = {MUMO_DANCE_VERSION: "mumo_dance", FEATURE_VERSION: "humanml3d"}
"""The feature definitions by version: HumanML3D's (the default) and mumo's dance variant."""
DANCE_CONTACT_SPEED = 0.5
"""mumo_dance: a foot joint slower than this (m/s) and within :data:`DANCE_CONTACT_HEIGHT` is in contact."""
DANCE_CONTACT_HEIGHT = 0.05
"""mumo_dance: metres above the foot joint's lowest height in the clip within which it may be in contact."""
FACING_SMOOTHING_S = 1.0
"""Standard deviation of the Gaussian smoothing of the facing direction, seconds (HumanML3D: 20 frames)."""
CONTACT_SPEED = float(np.sqrt(0.002) * 20.0)
"""A foot joint slower than this (m/s, about 0.894) is in contact (HumanML3D: squared per-frame displacement
below 0.002 m² at 20 fps)."""

_FLOOR = np.array([1.0, 0.0, 1.0])


def joints_to_features(joints: np.ndarray, fps: float = 60.0, version: int = FEATURE_VERSION) -> np.ndarray:
    """Per-frame 263-d features of a 22-joint clip (layout in the module docstring).

    Args:
        joints: ``[T, 22, 3]`` joint positions, metres, y up, floor at y = 0, ``T >= 3``.
        fps: frame rate of ``joints`` (frames per second); velocity channels are stored per frame at this
            rate, ``fps`` sets the facing smoothing (frames) and the contact threshold (metres per frame).
        version: the definition (:data:`FEATURE_DEFINITIONS`): 2, HumanML3D's; 1, mumo_dance.

    Returns:
        ``[T, 263]`` float32 features, one row per joint frame.

    Raises:
        MotionError: if ``joints``, ``fps`` or ``version`` are invalid.
    """
    if check_feature_version(version) == MUMO_DANCE_VERSION:
        return _mumo_dance_features(joints, fps)
    joints = canonicalize_joints(joints)
    fps = validate_fps(fps)
    heading = smoothed_heading_angles(joints, SMPL22, FACING_SMOOTHING_S * fps)  # [T]
    heading[0] = 0.0  # the canonical facing, as in HumanML3D's files
    return _assemble(
        joints,
        heading,
        lambda relative, to_facing: chain_rotations(joints, to_facing),
        _foot_contacts(joints, fps),
    )


def check_feature_version(version: int) -> int:
    """``version`` after checking it names a feature definition mumo computes.

    Raises:
        MotionError: an unknown version (naming the known ones).
    """
    if version not in FEATURE_DEFINITIONS:
        known = ", ".join(f"{v} ({name})" for v, name in FEATURE_DEFINITIONS.items())
        raise MotionError(f"unknown motion-feature definition {version}; this mumo computes {known}")
    return int(version)


def _mumo_dance_features(joints: np.ndarray, fps: float) -> np.ndarray:
    """The mumo_dance variant (module docstring): unsmoothed facing, bone-alignment rotations, contacts by
    speed and height."""
    joints = validate_joints(joints, NUM_JOINTS)
    fps = validate_fps(fps)
    return _assemble(
        joints,
        heading_angles(joints, SMPL22),
        lambda relative, to_facing: _bone_alignment_rotations(relative),
        _speed_contacts(joints, fps),
    )


def _assemble(
    joints: np.ndarray,
    heading: np.ndarray,
    rotations: Callable[[np.ndarray, np.ndarray], np.ndarray],
    contacts: np.ndarray,
) -> np.ndarray:
    """``[T, 263]`` float32 features of ``joints [T, 22, 3]`` given each frame's facing ``heading [T]``
    (radians), the definition's ``rotations(relative [T, 22, 3], to_facing [T, 3, 3]) -> [T, 21, 3, 3]`` and
    its ``contacts [T, 4]``; the other channels are the same in every definition."""
    to_facing = yaw_matrices(-heading)  # [T, 3, 3]
    root = joints[:, 0]  # [T, 3]
    relative = np.einsum("tij,tkj->tki", to_facing, joints - root[:, None] * _FLOOR)  # [T, 22, 3]
    local_velocity = np.einsum("tij,tkj->tki", to_facing[:-1], np.diff(joints, axis=0))  # [T-1, 22, 3]
    num_frames = len(joints)
    features = np.concatenate(
        [
            root_channels(heading, root),
            relative[:, 1:].reshape(num_frames, -1),
            matrix_to_6d(rotations(relative, to_facing)).reshape(num_frames, -1),
            _repeat_last(local_velocity.reshape(num_frames - 1, -1)),
            contacts,
        ],
        axis=-1,
    )
    return features.astype(np.float32)


def _bone_alignment_rotations(relative: np.ndarray) -> np.ndarray:
    """``[T, 21, 3, 3]`` local rotations of joints 1..21 from facing-frame positions ``[T, 22, 3]``: each
    bone gets the smallest rotation taking its rest direction onto the observed one; a joint's local
    rotation is its parent bone's inverted times its own."""
    parents = np.asarray(SMPL22.parents[1:])
    bones = relative[:, 1:] - relative[:, parents]  # [T, 21, 3]
    bone_rotations = rotation_between(SMPL22.rest_offsets[1:], bones)  # [T, 21, 3, 3]
    identity = np.broadcast_to(np.eye(3), (len(relative), 1, 3, 3))
    global_rotations = np.concatenate([identity, bone_rotations], axis=1)  # [T, 22, 3, 3]
    return np.swapaxes(global_rotations[:, parents], -1, -2) @ bone_rotations


def _speed_contacts(joints: np.ndarray, fps: float) -> np.ndarray:
    """mumo_dance contacts ``[T, 4]``: slower than :data:`DANCE_CONTACT_SPEED` and within
    :data:`DANCE_CONTACT_HEIGHT` of the joint's lowest height."""
    feet = joints[:, list(CONTACT_JOINTS)]  # [T, 4, 3]
    speed = _repeat_last(np.linalg.norm(np.diff(feet, axis=0), axis=-1)) * fps  # [T, 4] m/s
    height = feet[..., 1] - feet[..., 1].min(axis=0)
    return ((speed < DANCE_CONTACT_SPEED) & (height < DANCE_CONTACT_HEIGHT)).astype(np.float64)


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


def _foot_contacts(joints: np.ndarray, fps: float) -> np.ndarray:
    """``[T, 4]`` 0/1 contacts of (left ankle, left toe, right ankle, right toe) (rule in the module
    docstring; the last row repeats)."""
    feet = joints[:, list(CONTACT_JOINTS)]  # [T, 4, 3]
    squared_step = np.sum(np.diff(feet, axis=0) ** 2, axis=-1)  # [T-1, 4] m²
    return _repeat_last((squared_step < (CONTACT_SPEED / fps) ** 2).astype(np.float64))


def _repeat_last(rows: np.ndarray) -> np.ndarray:
    """Append a copy of the last row (forward differences ``[T-1, ...]`` → ``[T, ...]``)."""
    return np.concatenate([rows, rows[-1:]], axis=0)


def _wrap_angle(angles: np.ndarray) -> np.ndarray:
    """Angles wrapped to ``[-pi, pi)``."""
    return (angles + np.pi) % (2.0 * np.pi) - np.pi
