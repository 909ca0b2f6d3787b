"""Procedural dance-like clips built with SMPL22 forward kinematics (turns, travel, bounces, arm swings)."""

from collections.abc import Callable

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from mumo.motion.skeleton import SMPL22


def _rotvec(axis: tuple[float, float, float], angles: np.ndarray) -> np.ndarray:
    """``[T, 3, 3]`` rotations by ``angles`` (radians) about a fixed axis."""
    unit = np.asarray(axis, dtype=np.float64) / np.linalg.norm(axis)
    return Rotation.from_rotvec(angles[:, None] * unit).as_matrix()


def dance(
    num_frames: int = 240,
    fps: float = 60.0,
    turns: float = 1.0,
    start_heading: float = 0.0,
    start: tuple[float, float] = (0.0, 0.0),
    velocity: tuple[float, float] = (0.0, 0.0),
    bounce: float = 0.05,
    swing: float = 0.8,
    twist: float = 0.3,
) -> np.ndarray:
    """``[T, 22, 3]`` clip: ``turns`` full turns over the clip, straight travel at ``velocity`` (m/s, x/z),
    a vertical bounce at 2 Hz, arm swings, knee bends and a spine twist of ``twist`` radians."""
    time = np.arange(num_frames) / fps
    phase = 2 * np.pi * time
    rotations = np.broadcast_to(np.eye(3), (num_frames, 22, 3, 3)).copy()
    rotations[:, 0] = _rotvec((0, 1, 0), start_heading + 2 * np.pi * turns * time / time[-1])
    rotations[:, 3] = _rotvec((0, 1, 0), twist * np.sin(phase))  # spine twist
    rotations[:, 16] = _rotvec((0, 0, 1), -swing * (1 + np.sin(1.5 * phase)))  # left shoulder
    rotations[:, 17] = _rotvec((1, 0, 0.3), swing * np.sin(1.5 * phase))  # right shoulder
    rotations[:, 18] = _rotvec((0, 1, 0), 0.6 * (1 - np.cos(phase)))  # left elbow
    rotations[:, 4] = _rotvec((1, 0, 0), 0.5 * (1 - np.cos(2 * phase)))  # left knee
    rotations[:, 1] = _rotvec((1, 0, 0), -0.4 * (1 - np.cos(2 * phase)))  # left hip
    rotations[:, 12] = _rotvec((1, 0.2, 0), 0.2 * np.sin(3 * phase))  # neck
    root = np.stack(
        [
            start[0] + velocity[0] * time,
            0.93 + bounce * np.sin(2 * phase * 2),
            start[1] + velocity[1] * time,
        ],
        axis=-1,
    )
    return SMPL22.forward_kinematics(rotations, root)


@pytest.fixture
def make_dance() -> Callable[..., np.ndarray]:
    """The :func:`dance` generator."""
    return dance
