"""Skeleton definitions: the 22-joint SMPL/HumanML3D chain and the 24-joint SMPL chain used by metrics.

Conventions: joint positions in metres, y up, the rest pose faces +z, the subject's left side is +x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SMPL24_JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2",
    "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar",
    "right_collar", "head", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hand", "right_hand",
)  # fmt: skip

SMPL24_PARENTS: tuple[int, ...] = (
    -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21,
)  # fmt: skip

# Rest-pose offset of each joint from its parent, metres (an average adult SMPL body, T-pose).
SMPL24_REST_OFFSETS: tuple[tuple[float, float, float], ...] = (
    (0.0, 0.93, 0.0), (0.06, -0.09, 0.0), (-0.06, -0.09, 0.0), (0.0, 0.11, -0.02),
    (0.04, -0.38, 0.0), (-0.04, -0.38, 0.0), (0.0, 0.135, 0.01), (-0.01, -0.40, -0.04),
    (0.01, -0.40, -0.04), (0.0, 0.055, 0.0), (0.02, -0.05, 0.12), (-0.02, -0.05, 0.12),
    (0.0, 0.21, -0.03), (0.07, 0.12, -0.01), (-0.07, 0.12, -0.01), (0.0, 0.09, 0.05),
    (0.11, 0.04, -0.01), (-0.11, 0.04, -0.01), (0.26, 0.0, -0.02), (-0.26, 0.0, -0.02),
    (0.25, 0.01, 0.0), (-0.25, 0.01, 0.0), (0.085, -0.01, -0.01), (-0.085, -0.01, -0.01),
)  # fmt: skip


@dataclass(frozen=True)
class Skeleton:
    """A kinematic tree.

    Attributes:
        name: identifier, e.g. ``"smpl22"``.
        joint_names: ``J`` names, parents before children.
        parents: ``J`` parent indices, ``-1`` for the root.
        rest_offsets: ``[J, 3]`` offset of each joint from its parent in the rest pose, metres
            (the root's entry is its rest position, pelvis height above the floor).
        left_foot: indices of the left ankle and left toe joints.
        right_foot: indices of the right ankle and right toe joints.
        face_joints: (right hip, left hip, right shoulder, left shoulder), used to find the facing direction.
    """

    name: str
    joint_names: tuple[str, ...]
    parents: tuple[int, ...]
    rest_offsets: np.ndarray
    left_foot: tuple[int, int]
    right_foot: tuple[int, int]
    face_joints: tuple[int, int, int, int]

    @property
    def num_joints(self) -> int:
        return len(self.parents)

    def bone_lengths(self) -> np.ndarray:
        """Rest-pose length of the bone ending at each non-root joint, metres, ``[J-1]``."""
        return np.linalg.norm(self.rest_offsets[1:], axis=-1)

    def rest_joints(self) -> np.ndarray:
        """Rest-pose (T-pose) joint positions ``[J, 3]`` in metres, feet near y = 0."""
        positions = np.zeros((self.num_joints, 3))
        for joint, parent in enumerate(self.parents):
            base = positions[parent] if parent >= 0 else 0.0
            positions[joint] = base + self.rest_offsets[joint]
        return positions

    def forward_kinematics(self, local_rotations: np.ndarray, root_positions: np.ndarray) -> np.ndarray:
        """Joint positions from per-joint local rotations.

        Args:
            local_rotations: ``[T, J, 3, 3]`` rotation of each joint relative to its parent's frame
                (the root's is its global orientation).
            root_positions: ``[T, 3]`` root (pelvis) position, metres.

        Returns:
            ``[T, J, 3]`` joint positions in metres.
        """
        num_frames = local_rotations.shape[0]
        global_rot = np.zeros((num_frames, self.num_joints, 3, 3))
        joints = np.zeros((num_frames, self.num_joints, 3))
        for joint, parent in enumerate(self.parents):
            if parent < 0:
                global_rot[:, joint] = local_rotations[:, joint]
                joints[:, joint] = root_positions
                continue
            global_rot[:, joint] = global_rot[:, parent] @ local_rotations[:, joint]
            joints[:, joint] = joints[:, parent] + global_rot[:, parent] @ self.rest_offsets[joint]
        return joints


SMPL24 = Skeleton(
    name="smpl24",
    joint_names=SMPL24_JOINT_NAMES,
    parents=SMPL24_PARENTS,
    rest_offsets=np.asarray(SMPL24_REST_OFFSETS, dtype=np.float64),
    left_foot=(7, 10),
    right_foot=(8, 11),
    face_joints=(2, 1, 17, 16),
)

SMPL22 = Skeleton(
    name="smpl22",
    joint_names=SMPL24_JOINT_NAMES[:22],
    parents=SMPL24_PARENTS[:22],
    rest_offsets=np.asarray(SMPL24_REST_OFFSETS[:22], dtype=np.float64),
    left_foot=(7, 10),
    right_foot=(8, 11),
    face_joints=(2, 1, 17, 16),
)
"""The HumanML3D skeleton: SMPL without the two hand joints."""
