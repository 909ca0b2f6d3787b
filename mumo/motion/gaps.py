"""Filling short gaps (NaN frames of single joints) in tracked point trajectories.

Marker-based and multi-camera captures lose a joint now and then for a frame or two (AIST++ ``keypoints3d``
has such holes). A gap of at most ``max_gap`` frames is bridged by straight-line interpolation between the
joint's neighbouring valid frames (a gap at the start or end of the clip holds the nearest valid position);
a longer gap is an error, since inventing a joint for longer than a moment would be guessing the dance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mumo.errors import MotionError


@dataclass(frozen=True)
class FilledGaps:
    """A trajectory with its gaps filled, and what was filled.

    Attributes:
        points: ``[T, J, 3]`` float64 positions (same unit as the input), all finite.
        gaps: number of gaps filled (runs of consecutive missing frames of one joint).
        frames: number of joint-frames filled (the gaps' total length).
    """

    points: np.ndarray
    gaps: int
    frames: int


def fill_gaps(points: np.ndarray, max_gap: int, names: Sequence[str] | None = None) -> FilledGaps:
    """Interpolate each joint across gaps of at most ``max_gap`` frames.

    A joint-frame is missing when any of its coordinates is NaN or Inf.

    Args:
        points: ``[T, J, 3]`` positions (any unit).
        max_gap: longest gap (frames) that is filled, ``>= 0``.
        names: ``J`` joint names for the error message (indices are used without them).

    Returns:
        The filled trajectory and the counts of gaps and joint-frames filled.

    Raises:
        MotionError: a gap longer than ``max_gap`` (naming the joint, its first frame and its length), or a
            joint that is missing in every frame.
    """
    points = np.array(points, dtype=np.float64)
    if points.ndim != 3 or points.shape[2] != 3:
        raise MotionError(f"points must have shape [T, J, 3], got {points.shape}")
    missing = ~np.isfinite(points).all(axis=-1)  # [T, J]
    frames = np.arange(len(points))
    gaps = 0
    for joint in np.flatnonzero(missing.any(axis=0)):
        name = names[joint] if names is not None else f"joint {joint}"
        starts, lengths = _runs(missing[:, joint])
        longest = int(np.argmax(lengths))
        if lengths[longest] == len(points):
            raise MotionError(f"{name} is missing in every frame")
        if lengths[longest] > max_gap:
            raise MotionError(
                f"{name} is missing for {lengths[longest]} frames from frame {starts[longest]} "
                f"(gaps of up to {max_gap} frames are filled)"
            )
        valid = ~missing[:, joint]
        for axis in range(3):
            points[:, joint, axis] = np.interp(frames, frames[valid], points[valid, joint, axis])
        gaps += len(starts)
    return FilledGaps(points=points, gaps=gaps, frames=int(missing.sum()))


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start frames and lengths of the runs of ``True`` in a ``[T]`` mask."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return starts, stops - starts
