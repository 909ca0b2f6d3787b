"""Kinematic quantities of one joint clip ``[T, J, 3]`` (metres, at ``fps`` frames per second): how fast and
how smoothly it moves. The metrics average them over clips (:mod:`mumo.metrics.motion_quality`); the motion
tokenizer reports them for its round trip (:mod:`mumo.tokenizers.motion_metrics`)."""

from __future__ import annotations

import numpy as np


def jitter(joints: np.ndarray, fps: float = 60.0) -> float:
    """Mean jerk magnitude over frames and joints, m/s^3 (third finite difference times fps^3); 0 for clips
    of fewer than 4 frames."""
    joints = np.asarray(joints, dtype=np.float64)
    if len(joints) < 4:
        return 0.0
    jerk = np.diff(joints, n=3, axis=0) * fps**3
    return float(np.linalg.norm(jerk, axis=-1).mean())


def mean_joint_speed(joints: np.ndarray, fps: float = 60.0) -> float:
    """Mean joint speed over frames and joints, m/s."""
    joints = np.asarray(joints, dtype=np.float64)
    return float(np.linalg.norm(np.diff(joints, axis=0), axis=-1).mean() * fps)
