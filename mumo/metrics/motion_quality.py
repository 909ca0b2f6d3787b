"""Motion-quality numbers: physical foot contact (EDGE's PFC), and mumo's jitter, speed and foot skating.

These turn the impressions of an experiment log ("a lot of jitter", "moves very fast and unnatural") into
numbers. Joints ``[T, J, 3]`` in metres; the frame rate and up axis are arguments. Jitter and speed of one
clip are kinematic quantities of the motion layer (:mod:`mumo.motion.kinematics`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mumo.motion.kinematics import jitter, mean_joint_speed

EDGE_FEET = (7, 10, 8, 11)
"""Left ankle, left toe, right ankle, right toe (SMPL indices)."""
CONTACT_HEIGHT_M = 0.05
"""A foot joint within this height of the clip's lowest foot position counts as on the floor, metres."""
SKATING_SPEED_M_S = 0.5
"""A foot on the floor moving horizontally faster than this is skating, m/s."""


def _horizontal_axes(up_axis: int) -> list[int]:
    return [axis for axis in range(3) if axis != up_axis]


def pfc_clip(joints: np.ndarray, fps: float = 30.0, up_axis: int = 2) -> float:
    """EDGE's physical foot contact score of one clip (lower is better; not multiplied by 10 000).

    Root acceleration (upward part clamped at 0, normalised by its maximum) times the product of the two
    feet's slower-joint horizontal displacement per frame, averaged over frames. EDGE feeds z-up 30 fps clips.
    A clip whose root never accelerates scores 0 (the reference divides 0 by 0 there).

    Args:
        joints: ``[T, J, 3]`` metres, ``T >= 3``, SMPL joint order for the feet (7, 10, 8, 11).
        fps: frame rate, frames/s.
        up_axis: index of the vertical axis (EDGE: 2, z up; mumo's own joints: 1, y up).
    """
    joints = np.asarray(joints, dtype=np.float64)
    dt = 1.0 / fps
    root_velocity = (joints[1:, 0] - joints[:-1, 0]) / dt
    root_acceleration = (root_velocity[1:] - root_velocity[:-1]) / dt
    root_acceleration[:, up_axis] = np.maximum(root_acceleration[:, up_axis], 0.0)
    magnitude = np.linalg.norm(root_acceleration, axis=-1)
    if magnitude.max() == 0:
        return 0.0
    magnitude = magnitude / magnitude.max()
    feet = joints[:, list(EDGE_FEET)][:, :, _horizontal_axes(up_axis)]
    foot_step = np.linalg.norm(feet[2:] - feet[1:-1], axis=-1)  # [T-2, 4], not divided by dt
    left = np.minimum(foot_step[:, 0], foot_step[:, 1])
    right = np.minimum(foot_step[:, 2], foot_step[:, 3])
    return float(np.mean(left * right * magnitude))


def pfc(clips: Sequence[np.ndarray], fps: float = 30.0, up_axis: int = 2) -> float:
    """PFC of a set of clips: ``10 000 x`` the mean clip score (EDGE's reported scale)."""
    return float(10_000 * np.mean([pfc_clip(c, fps, up_axis) for c in clips]))


def foot_skating_ratio(joints: np.ndarray, fps: float = 60.0, up_axis: int = 1) -> float:
    """Fraction of foot-joint frames that are on the floor yet slide horizontally faster than 0.5 m/s.

    A foot joint (ankles and toes) is on the floor when within 5 cm of the lowest height any foot joint
    reaches in the clip.
    """
    joints = np.asarray(joints, dtype=np.float64)
    feet = joints[:, list(EDGE_FEET)]
    heights = feet[..., up_axis]
    on_floor = heights[1:] < heights.min() + CONTACT_HEIGHT_M
    horizontal = feet[..., _horizontal_axes(up_axis)]
    speed = np.linalg.norm(np.diff(horizontal, axis=0), axis=-1) * fps
    return float(np.mean(on_floor & (speed > SKATING_SPEED_M_S)))


def motion_quality(
    generated: Sequence[np.ndarray], ground_truth: Sequence[np.ndarray] | None = None, fps: float = 60.0
) -> dict[str, float]:
    """Mean jitter (m/s^3), mean joint speed (m/s), foot-skating ratio over clips (y up), EDGE's PFC computed
    at the clips' own frame rate with y up (key ``pfc_<fps>fps``, since PFC depends on both), and, with
    ground truth, the generated-to-ground-truth ratios of speed and jitter (1.0 = as fast / as smooth as
    real)."""
    result = {
        "jitter_m_s3": float(np.mean([jitter(c, fps) for c in generated])),
        "joint_speed_m_s": float(np.mean([mean_joint_speed(c, fps) for c in generated])),
        "foot_skating_ratio": float(np.mean([foot_skating_ratio(c, fps) for c in generated])),
        f"pfc_{fps:g}fps": pfc(generated, fps, up_axis=1),
    }
    if ground_truth:
        gt_speed = float(np.mean([mean_joint_speed(c, fps) for c in ground_truth]))
        gt_jitter = float(np.mean([jitter(c, fps) for c in ground_truth]))
        result["joint_speed_ratio_to_gt"] = result["joint_speed_m_s"] / max(gt_speed, 1e-12)
        result["jitter_ratio_to_gt"] = result["jitter_m_s3"] / max(gt_jitter, 1e-12)
    return result
