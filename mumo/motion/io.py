"""Reading dance files: joint arrays, 263-d feature arrays and BVH animations, as SMPL22 joints."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from mumo.errors import MotionError
from mumo.motion.features import FEATURE_DIM, features_to_joints
from mumo.motion.retarget import read_bvh_smpl22, recognise_joints_unit
from mumo.motion.skeleton_maps import SkeletonMap
from mumo.motion.validate import validate_features, validate_fps, validate_joints

DANCE_SUFFIXES = (".npy", ".bvh")
UNIT_NAMES = {100.0: "centimetres", 1000.0: "millimetres"}
log = logging.getLogger(__name__)


def load_dance(
    path: str | Path, fps: float = 60.0, skeleton_map: SkeletonMap | None = None
) -> tuple[np.ndarray, float]:
    """SMPL22 joints ``[T, 22, 3]`` (metres, y up) of a dance file, and their frame rate.

    Args:
        path: ``.npy`` holding joints ``[T, 22, 3]``, SMPL joints ``[T, 24, 3]`` (the hands are dropped) or
            263-d features ``[T, 263]`` (joints in centimetres or millimetres are recognised from the body's
            size and converted to metres); or a ``.bvh`` of a known skeleton (its own frame rate; see
            :mod:`mumo.motion.retarget`).
        fps: frame rate of a ``.npy`` file.
        skeleton_map: which joint of a ``.bvh`` is which SMPL22 joint (``None``: recognised by name).

    Raises:
        MotionError: missing or unreadable file, a skeleton that cannot be mapped, wrong shape or
            non-finite values.
    """
    path = Path(path)
    if not path.is_file():
        raise MotionError(f"{path}: dance file not found")
    if path.suffix.lower() == ".bvh":
        return read_bvh_smpl22(path, skeleton_map=skeleton_map)
    if path.suffix.lower() != ".npy":
        raise MotionError(f"{path}: unsupported dance file; give one of {', '.join(DANCE_SUFFIXES)}")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise MotionError(f"{path}: not a readable .npy array ({exc or 'empty file'})") from None
    fps = validate_fps(fps)
    if array.ndim == 2 and array.shape[1] == FEATURE_DIM:
        return features_to_joints(validate_features(array)), fps
    if array.ndim == 3 and array.shape[1:] == (24, 3):
        array = array[:, :22]
    try:
        joints = validate_joints(array, expected_joints=22)
    except MotionError as exc:
        raise MotionError(f"{path}: {exc} (or 263-d features [T, 263])") from None
    unit = recognise_joints_unit(joints)
    if unit != 1.0:
        log.warning(
            "%s: the body is %g times an adult's size in metres; read as %s", path, unit, UNIT_NAMES[unit]
        )
    return joints / unit, fps
