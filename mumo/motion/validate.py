"""Input checks for motion arrays: joint positions ``[T, J, 3]`` and feature vectors ``[..., T, D]``.

Every public conversion in :mod:`mumo.motion` runs these checks first, so a bad clip fails with a
:class:`~mumo.errors.MotionError` that says what is wrong instead of producing NaNs downstream.
"""

from __future__ import annotations

import numpy as np

from mumo.errors import MotionError

MIN_FRAMES = 3
"""Fewest frames a motion clip may have (velocities and contacts need at least two differences)."""


def _check_finite(array: np.ndarray, what: str, time_axis: int) -> None:
    """Raise if ``array`` holds NaN or Inf values, naming how many and the first frame (on ``time_axis``)."""
    bad = ~np.isfinite(array)
    count = int(bad.sum())
    if count == 0:
        return
    per_frame = np.moveaxis(bad, time_axis, 0).reshape(array.shape[time_axis], -1).any(axis=1)
    raise MotionError(
        f"{what} contain {count} NaN/Inf values (first at frame {int(np.argmax(per_frame))}); "
        "clean or drop this clip before conversion"
    )


def _as_float_array(array: object, what: str) -> np.ndarray:
    try:
        result = np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise MotionError(f"{what} must be a numeric array, got {type(array).__name__}: {error}") from error
    return result


def validate_joints(joints: object, expected_joints: int | None = 22) -> np.ndarray:
    """Check a joint-position clip and return it as a float64 array.

    Args:
        joints: ``[T, J, 3]`` joint positions in metres (y up).
        expected_joints: required ``J`` (22 for the HumanML3D skeleton, 24 for SMPL), or ``None``
            to accept any joint count.

    Returns:
        ``[T, J, 3]`` float64 array (no copy when the input already is one).

    Raises:
        MotionError: wrong rank, wrong joint count or coordinate width, fewer than
            :data:`MIN_FRAMES` frames, or NaN/Inf values (with their count and first frame).
    """
    array = _as_float_array(joints, "joints")
    shape_text = f"[T, {'J' if expected_joints is None else expected_joints}, 3]"
    if array.ndim != 3:
        raise MotionError(f"joints must have shape {shape_text}, got rank {array.ndim} {array.shape}")
    if array.shape[2] != 3:
        raise MotionError(f"joints must have shape {shape_text} (x, y, z per joint), got {array.shape}")
    if expected_joints is not None and array.shape[1] != expected_joints:
        raise MotionError(
            f"joints must have shape {shape_text}, got {array.shape}; "
            f"convert the clip to the {expected_joints}-joint skeleton first"
        )
    if array.shape[0] < MIN_FRAMES:
        raise MotionError(f"joints have {array.shape[0]} frames; at least {MIN_FRAMES} are needed")
    _check_finite(array, "joints", time_axis=0)
    return array


def validate_features(features: object, feature_dim: int = 263) -> np.ndarray:
    """Check a feature clip (or batch of clips) and return it as a float64 array.

    Args:
        features: ``[T, D]`` or ``[B, T, D]`` per-frame feature vectors.
        feature_dim: required width ``D`` (263 for HumanML3D-style features).

    Returns:
        The features as a float64 array of the same shape.

    Raises:
        MotionError: rank other than 2 or 3, width other than ``feature_dim``, fewer than
            :data:`MIN_FRAMES` frames, or NaN/Inf values (with their count and first frame).
    """
    array = _as_float_array(features, "features")
    if array.ndim not in (2, 3):
        raise MotionError(
            f"features must have shape [T, {feature_dim}] or [B, T, {feature_dim}], "
            f"got rank {array.ndim} {array.shape}"
        )
    if array.shape[-1] != feature_dim:
        raise MotionError(
            f"features must be {feature_dim} wide, got {array.shape[-1]} (shape {array.shape}); "
            "pass per-frame feature vectors with time before channels"
        )
    if array.shape[-2] < MIN_FRAMES:
        raise MotionError(f"features have {array.shape[-2]} frames; at least {MIN_FRAMES} are needed")
    _check_finite(array, "features", time_axis=-2)
    return array


def validate_fps(fps: float, what: str = "fps") -> float:
    """Return ``fps`` as a float after checking it is a positive finite frame rate (frames per second)."""
    value = float(fps)
    if not np.isfinite(value) or value <= 0:
        raise MotionError(f"{what} must be a positive frame rate in frames per second, got {fps}")
    return value
