"""Rotation helpers for the motion features: facing (heading) angles, yaw matrices, bone-alignment
rotations and the continuous 6-D rotation representation. All functions are vectorised over leading axes.

Conventions: y up; a heading angle ``theta`` (radians) is the body's rotation about +y from the rest
facing +z, so the forward direction is ``(sin theta, 0, cos theta)``.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

from mumo.motion.skeleton import Skeleton

_PARALLEL_EPS = 1e-9


def heading_angles(joints: np.ndarray, skeleton: Skeleton) -> np.ndarray:
    """Facing angle of the body in every frame, from the hips and shoulders.

    The across vector (right hip - left hip) + (right shoulder - left shoulder) points to the body's
    right; forward is ``up x across`` projected on the floor.

    Args:
        joints: ``[..., J, 3]`` joint positions, metres.
        skeleton: supplies ``face_joints`` = (right hip, left hip, right shoulder, left shoulder).

    Returns:
        ``[...]`` heading angles in radians, in ``(-pi, pi]`` (0 when facing +z).
    """
    r_hip, l_hip, r_shoulder, l_shoulder = skeleton.face_joints
    across = (joints[..., r_hip, :] - joints[..., l_hip, :]) + (
        joints[..., r_shoulder, :] - joints[..., l_shoulder, :]
    )
    # up x across = (across_z, 0, -across_x)
    return np.arctan2(across[..., 2], -across[..., 0])


def smoothed_heading_angles(joints: np.ndarray, skeleton: Skeleton, sigma_frames: float) -> np.ndarray:
    """Facing angle of the body in every frame as HumanML3D's features define it: from the shoulders against
    the hips, smoothed over time.

    The across vector is (right shoulder - left shoulder) - (right hip - left hip), HumanML3D's combination
    (its hip term has the opposite sign of the one in :func:`heading_angles`, so the wider shoulders set the
    direction); forward = ``up x across`` on the floor, normalised per frame, then Gaussian-smoothed over
    time (edges repeat the first and last frame) before its angle is taken. A body spinning faster than
    about one turn per ``2 * sigma`` averages its forward vectors towards zero, and the angle then follows
    what is left.

    Args:
        joints: ``[T, J, 3]`` joint positions, metres.
        skeleton: supplies ``face_joints`` = (right hip, left hip, right shoulder, left shoulder).
        sigma_frames: standard deviation of the smoothing, frames (``0``: none).

    Returns:
        ``[T]`` heading angles in radians, in ``(-pi, pi]`` (0 when facing +z).
    """
    r_hip, l_hip, r_shoulder, l_shoulder = skeleton.face_joints
    across = (joints[:, r_shoulder] - joints[:, l_shoulder]) - (joints[:, r_hip] - joints[:, l_hip])
    across = across / np.maximum(np.linalg.norm(across, axis=-1, keepdims=True), _PARALLEL_EPS)
    forward = np.stack([across[:, 2], np.zeros(len(across)), -across[:, 0]], axis=-1)  # up x across
    if sigma_frames > 0:
        forward = gaussian_filter1d(forward, sigma_frames, axis=0, mode="nearest")
    return np.arctan2(forward[:, 0], forward[:, 2])


def yaw_matrices(angles: np.ndarray) -> np.ndarray:
    """Rotation matrices about +y.

    Args:
        angles: ``[...]`` radians; positive turns +z towards +x.

    Returns:
        ``[..., 3, 3]`` matrices ``R`` such that ``R @ (0, 0, 1) = (sin a, 0, cos a)``.
    """
    cos, sin = np.cos(angles), np.sin(angles)
    matrices = np.zeros((*np.shape(angles), 3, 3))
    matrices[..., 0, 0] = cos
    matrices[..., 0, 2] = sin
    matrices[..., 1, 1] = 1.0
    matrices[..., 2, 0] = -sin
    matrices[..., 2, 2] = cos
    return matrices


def rotation_between(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The smallest rotation taking the direction ``source`` onto the direction ``target``.

    Zero-length targets give the identity; opposite directions give a half turn about an axis
    perpendicular to ``source`` (chosen deterministically), so the result is always a finite rotation.

    Args:
        source: ``[..., 3]`` vectors (need not be unit length, must be non-zero).
        target: ``[..., 3]`` vectors, broadcastable against ``source``.

    Returns:
        ``[..., 3, 3]`` rotation matrices ``R`` with ``R @ source_hat = target_hat``.
    """
    source, target = np.broadcast_arrays(source, target)
    u = source / np.linalg.norm(source, axis=-1, keepdims=True)
    target_norm = np.linalg.norm(target, axis=-1, keepdims=True)
    degenerate = target_norm[..., 0] < _PARALLEL_EPS
    v = np.where(degenerate[..., None], u, target / np.maximum(target_norm, _PARALLEL_EPS))

    axis = np.cross(u, v)
    cos = np.sum(u * v, axis=-1)
    skew = _skew(axis)
    identity = np.broadcast_to(np.eye(3), skew.shape)
    opposite = cos < -1.0 + 1e-7
    scale = 1.0 / np.where(opposite, 1.0, 1.0 + cos)
    rodrigues = identity + skew + (skew @ skew) * scale[..., None, None]

    # Half turn about a unit axis perpendicular to u: R = 2 a a^T - I.
    helper = np.where(np.abs(u[..., :1]) < 0.9, np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    perpendicular = np.cross(u, helper)
    perpendicular /= np.linalg.norm(perpendicular, axis=-1, keepdims=True)
    half_turn = 2.0 * perpendicular[..., :, None] * perpendicular[..., None, :] - identity
    return np.where(opposite[..., None, None], half_turn, rodrigues)


def matrix_to_6d(matrices: np.ndarray) -> np.ndarray:
    """Continuous 6-D representation: the first two columns of each rotation matrix.

    Args:
        matrices: ``[..., 3, 3]`` rotation matrices.

    Returns:
        ``[..., 6]`` = (column 0, column 1).
    """
    return np.concatenate([matrices[..., :, 0], matrices[..., :, 1]], axis=-1)


def _skew(vectors: np.ndarray) -> np.ndarray:
    """``[..., 3]`` -> ``[..., 3, 3]`` cross-product matrices ``[v]x``."""
    x, y, z = vectors[..., 0], vectors[..., 1], vectors[..., 2]
    zero = np.zeros_like(x)
    return np.stack(
        [np.stack([zero, -z, y], -1), np.stack([z, zero, -x], -1), np.stack([-y, x, zero], -1)], axis=-2
    )
