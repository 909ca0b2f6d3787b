"""Root trajectory from planted feet: the body moves over the floor only by pushing off a standing foot.

Joint positions are first computed with the root at the origin (body frame, heading included). The root's
horizontal path is then integrated so that the standing foot stays still on the floor, and the root height is
set so that the lowest foot joint touches ``y = 0``. Travelling and side steps therefore come from the legs,
without the feet sliding.
"""

from __future__ import annotations

import numpy as np

from mumo.motion.skeleton import SMPL22

STANCE_HEIGHT_SCALE_M = 0.01
"""Height difference between the feet over which the standing foot hands over to the other, metres."""


def _foot_centres(body: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean position ``[T, 3]`` of the ankle and toe of the left and the right foot."""
    return body[:, list(SMPL22.left_foot)].mean(axis=1), body[:, list(SMPL22.right_foot)].mean(axis=1)


def height_stance(body: np.ndarray) -> np.ndarray:
    """Weight ``[T]`` in [0, 1] of the left foot as the standing foot: 1 when lower, 0.5 when level."""
    left = body[:, list(SMPL22.left_foot), 1].min(axis=1)
    right = body[:, list(SMPL22.right_foot), 1].min(axis=1)
    return 1.0 / (1.0 + np.exp(np.clip((left - right) / STANCE_HEIGHT_SCALE_M, -60.0, 60.0)))


def plant_feet(body: np.ndarray, left_stance: np.ndarray, start_xz: np.ndarray) -> np.ndarray:
    """Place a dance on the floor with its standing foot planted.

    Args:
        body: ``[T, J, 3]`` joint positions (metres, y up) computed with the root at the origin.
        left_stance: ``[T]`` weight in [0, 1] of the left foot as the standing foot (the right gets the rest).
        start_xz: ``[2]`` horizontal root position of the first frame, metres.

    Returns:
        ``[T, J, 3]`` joint positions: the root path cancels the weighted horizontal motion of the standing
        foot frame to frame, and every frame's lowest foot joint is at ``y = 0``.
    """
    left, right = _foot_centres(body)
    weight = 0.5 * (left_stance[1:] + left_stance[:-1])[:, None]
    foot_step = weight * np.diff(left, axis=0) + (1.0 - weight) * np.diff(right, axis=0)
    root = np.zeros((len(body), 3))
    root[1:, [0, 2]] = -np.cumsum(foot_step[:, [0, 2]], axis=0)
    root[:, [0, 2]] += start_xz
    joints = body + root[:, None, :]
    feet = list(SMPL22.left_foot + SMPL22.right_foot)
    joints[:, :, 1] -= joints[:, feet, 1].min(axis=1, keepdims=True)
    return joints
