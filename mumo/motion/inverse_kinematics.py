"""HumanML3D's inverse kinematics: the local joint rotations of its 263-d features (channels 67..192).

The body is five chains from the root: both legs (pelvis, hip, knee, ankle, toe), the spine (pelvis,
spine1..3, neck, head) and both arms (spine3, collar, shoulder, elbow, wrist). Each bone has a rest direction
along one axis (:data:`REST_DIRECTIONS`: hips along ±x, legs and arms hanging down along -y, spine and neck
up, toes and head forward along +z). Walking down a chain, every bone gets the smallest rotation that turns
its rest direction onto its observed direction in the world; its local rotation is that rotation seen from
the previous bone's (``local = previous^T @ swing``). Each chain starts from the root rotation, the arms
included (they do not inherit the spine's rotations): this is HumanML3D's own convention, kept so the
features are its.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from mumo.motion.rotations import rotation_between

CHAINS: tuple[tuple[int, ...], ...] = (
    (0, 2, 5, 8, 11),
    (0, 1, 4, 7, 10),
    (0, 3, 6, 9, 12, 15),
    (9, 14, 17, 19, 21),
    (9, 13, 16, 18, 20),
)
"""SMPL22 joint indices of the kinematic chains, each from its start joint outwards."""

_X, _Y, _Z = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
_DOWN = (0.0, -1.0, 0.0)
REST_DIRECTIONS = np.array(
    [
        (0.0, 0.0, 0.0), _X, (-1.0, 0.0, 0.0), _Y, _DOWN, _DOWN, _Y, _DOWN, _DOWN, _Y, _Z, _Z,
        _Y, _X, (-1.0, 0.0, 0.0), _Z, _DOWN, _DOWN, _DOWN, _DOWN, _DOWN, _DOWN,
    ]
)  # fmt: skip
"""``[22, 3]`` unit rest direction of the bone ending at each SMPL22 joint (the root's is unused)."""


def chain_rotations(joints: np.ndarray, root_rotation: np.ndarray) -> np.ndarray:
    """Local rotation of the bone ending at each of the joints 1..21, by swing along the chains.

    Args:
        joints: ``[T, 22, 3]`` joint positions, metres.
        root_rotation: ``[T, 3, 3]`` rotation each chain starts from (HumanML3D: world → facing frame).

    Returns:
        ``[T, 21, 3, 3]`` local rotation matrices of joints 1..21. A zero-length bone gets the rotation of
        the bone before it (its swing is the identity).
    """
    local = np.zeros((*joints.shape[:-1], 3, 3))
    for chain in CHAINS:
        previous = root_rotation
        for parent, joint in pairwise(chain):
            swing = rotation_between(REST_DIRECTIONS[joint], joints[:, joint] - joints[:, parent])
            local[:, joint] = np.swapaxes(previous, -1, -2) @ swing
            previous = swing
    return local[:, 1:]
