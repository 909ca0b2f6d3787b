"""SMPL joint positions by forward kinematics, from a user-supplied SMPL model file (numpy only).

The SMPL body model is licensed separately (https://smpl.is.tue.mpg.de); mumo ships no model data. A model
file is either the official pickle (``SMPL_NEUTRAL.pkl`` etc., whose arrays may be stored as chumpy
objects: those are read without chumpy) or an ``.npz`` with the same keys. Used keys:

==============  ==================  ==============================================================
key             shape               meaning
==============  ==================  ==============================================================
v_template      [V, 3]              rest-pose mesh vertices, metres
shapedirs       [V, 3, S]           shape blend directions (S betas, S >= 10 in SMPL)
J_regressor     [24, V]             joint locations as vertex weights (dense or scipy sparse)
kintree_table   [2, 24]             row 0: parent of each joint (the root's entry is ignored)
==============  ==================  ==============================================================

Joints are ``J = J_regressor @ (v_template + shapedirs @ betas)`` in the rest pose; a pose (24 axis-angle
rotations) places them by composing each joint's rotation with its parent's, i.e. the skeleton without
the mesh (pose blend shapes and skinning move only vertices, not these joints).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from mumo.errors import DataError
from mumo.motion.skeleton import SMPL24

NUM_SMPL_JOINTS = 24


class _ChumpyStub:
    """Stands in for chumpy classes while unpickling; keeps the pickled state to read the array from."""

    def __init__(self, *args: Any, **kwargs: Any):
        self.state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def array(self) -> np.ndarray:
        state = self.state
        if isinstance(state, dict):
            for key in ("x", "a", "r"):
                if key in state:
                    return np.asarray(state[key])
        raise DataError("SMPL model file holds a chumpy object without a readable array")


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("chumpy"):
            return _ChumpyStub
        return super().find_class(module, name)


def _dense(value: Any) -> np.ndarray:
    if isinstance(value, _ChumpyStub):
        return value.array().astype(np.float64)
    if hasattr(value, "toarray"):  # scipy sparse
        return np.asarray(value.toarray(), dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


@dataclass(frozen=True)
class SMPLSkeleton:
    """The joint-only part of an SMPL model.

    Attributes:
        rest_joints_zero_shape: ``[24, 3]`` rest-pose joints for betas = 0, metres.
        joint_shapedirs: ``[24, 3, S]`` how the joints move per shape coefficient.
        parents: ``[24]`` parent index of each joint (-1 for the root).
    """

    rest_joints_zero_shape: np.ndarray
    joint_shapedirs: np.ndarray
    parents: np.ndarray

    @classmethod
    def load(cls, path: str | Path) -> SMPLSkeleton:
        """Read an SMPL model ``.pkl`` or ``.npz`` (keys in the module docstring).

        Raises:
            DataError: the file is missing, unreadable, or lacks a key or has wrong shapes.
        """
        path = Path(path)
        if not path.is_file():
            raise DataError(
                f"SMPL model file {path} not found; download SMPL from https://smpl.is.tue.mpg.de "
                "(licence required) and pass its .pkl or .npz"
            )
        try:
            if path.suffix == ".npz":
                with np.load(path, allow_pickle=False) as archive:
                    data: dict[str, Any] = {key: archive[key] for key in archive.files}
            else:
                with path.open("rb") as handle:
                    data = _ModelUnpickler(handle, encoding="latin1").load()
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError) as exc:
            raise DataError(f"{path}: not a readable SMPL model file ({exc})") from None
        if not isinstance(data, dict):
            raise DataError(f"{path}: SMPL model file must hold a dict of arrays, got {type(data).__name__}")
        missing = [
            key for key in ("v_template", "shapedirs", "J_regressor", "kintree_table") if key not in data
        ]
        if missing:
            raise DataError(f"{path}: SMPL model file lacks {', '.join(missing)}")
        v_template = _dense(data["v_template"])
        shapedirs = _dense(data["shapedirs"])
        regressor = _dense(data["J_regressor"])
        kintree = _dense(data["kintree_table"]).astype(np.int64)
        num_vertices = len(v_template)
        if (
            v_template.shape != (num_vertices, 3)
            or shapedirs.shape[:2] != (num_vertices, 3)
            or regressor.shape != (NUM_SMPL_JOINTS, num_vertices)
            or kintree.shape != (2, NUM_SMPL_JOINTS)
        ):
            raise DataError(
                f"{path}: SMPL arrays have unexpected shapes (v_template {v_template.shape}, shapedirs "
                f"{shapedirs.shape}, J_regressor {regressor.shape}, kintree_table {kintree.shape})"
            )
        parents = kintree[0].copy()
        parents[0] = -1
        if np.any(parents[1:] >= np.arange(1, NUM_SMPL_JOINTS)) or np.any(parents[1:] < 0):
            raise DataError(f"{path}: kintree_table parents must precede their children")
        return cls(
            rest_joints_zero_shape=regressor @ v_template,
            joint_shapedirs=np.einsum("jv,vcs->jcs", regressor, shapedirs),
            parents=parents,
        )

    def rest_joints(self, betas: np.ndarray | None = None) -> np.ndarray:
        """Rest-pose joints ``[24, 3]`` for shape ``betas`` ``[S']`` (``S' <= S``; ``None`` = mean shape)."""
        if betas is None:
            return self.rest_joints_zero_shape
        betas = np.asarray(betas, dtype=np.float64).reshape(-1)
        return self.rest_joints_zero_shape + self.joint_shapedirs[..., : len(betas)] @ betas

    def forward(
        self, poses: np.ndarray, translation: np.ndarray, betas: np.ndarray | None = None
    ) -> np.ndarray:
        """Joint positions of a pose sequence.

        Args:
            poses: ``[T, 72]`` axis-angle rotations of the 24 joints (root first), radians.
            translation: ``[T, 3]`` root translation, metres.
            betas: optional shape coefficients.

        Returns:
            ``[T, 24, 3]`` joint positions, metres (SMPL axes: y up).
        """
        poses = np.asarray(poses, dtype=np.float64).reshape(len(poses), NUM_SMPL_JOINTS, 3)
        rest = self.rest_joints(betas)
        offsets = rest - np.where(self.parents[:, None] >= 0, rest[self.parents], 0.0)  # [24, 3]
        skeleton = replace(SMPL24, parents=tuple(int(p) for p in self.parents), rest_offsets=offsets)
        root = rest[0] + np.asarray(translation, dtype=np.float64)  # [T, 3]
        return skeleton.forward_kinematics(axis_angle_to_matrix(poses), root)


def axis_angle_to_matrix(axis_angle: np.ndarray) -> np.ndarray:
    """Rotation matrices ``[..., 3, 3]`` from axis-angle vectors ``[..., 3]`` (Rodrigues, radians)."""
    angle = np.linalg.norm(axis_angle, axis=-1, keepdims=True)  # [..., 1]
    axis = axis_angle / np.maximum(angle, 1e-12)
    x, y, z = axis[..., 0], axis[..., 1], axis[..., 2]
    zero = np.zeros_like(x)
    skew = np.stack([zero, -z, y, z, zero, -x, -y, x, zero], axis=-1).reshape(*axis.shape[:-1], 3, 3)
    sin, cos = np.sin(angle)[..., None], np.cos(angle)[..., None]
    eye = np.broadcast_to(np.eye(3), skew.shape)
    return eye + sin * skew + (1 - cos) * (skew @ skew)
