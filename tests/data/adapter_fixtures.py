"""Tiny input files in the formats of the public datasets, for the adapter tests."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.spatial.transform import Rotation

from mumo.motion.coco17 import COCO17_NAMES
from mumo.motion.skeleton import SMPL24

SMPL_PARENTS = np.array(SMPL24.parents)


def fake_smpl_arrays(seed: int = 0, num_vertices: int = 60) -> dict[str, np.ndarray]:
    """Random SMPL-like model arrays whose regressed rest joints lie near SMPL's T-pose joints."""
    rng = np.random.default_rng(seed)
    joints = SMPL24.rest_joints()  # [24, 3]
    owner = np.arange(num_vertices) % 24
    v_template = joints[owner] + rng.normal(0.0, 0.01, (num_vertices, 3))
    regressor = (owner[None, :] == np.arange(24)[:, None]) * rng.uniform(0.5, 1.0, (24, num_vertices))
    regressor /= regressor.sum(axis=1, keepdims=True)
    kintree = np.stack([np.where(SMPL_PARENTS < 0, 4294967295, SMPL_PARENTS), np.arange(24)])
    return {
        "v_template": v_template,
        "shapedirs": rng.normal(0.0, 0.01, (num_vertices, 3, 10)),
        "J_regressor": regressor,
        "kintree_table": kintree.astype(np.int64),
        "weights": rng.uniform(size=(num_vertices, 24)),
        "f": rng.integers(0, num_vertices, (20, 3)),
    }


def write_smpl_npz(path: Path, seed: int = 0) -> Path:
    np.savez(path, **fake_smpl_arrays(seed))
    return path


def dance_poses(num_frames: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random SMPL poses ``[N, 72]`` and a root translation ``[N, 3]`` (AIST++ units: cm-like)."""
    rng = np.random.default_rng(seed)
    t = np.arange(num_frames)[:, None] / 60.0
    amplitude = rng.uniform(0.0, 0.4, (1, 72))
    phase = rng.uniform(0, 2 * np.pi, (1, 72))
    poses = amplitude * np.sin(2 * np.pi * 2.0 * t + phase)
    poses[:, :3] = [0.0, 0.3, 0.0] + 0.1 * np.sin(2 * np.pi * t)
    trans = np.concatenate([20 * np.sin(t), 90 + 5 * np.sin(4 * np.pi * t), 10 * t], axis=1)
    return poses, trans


def write_motion_pickle(path: Path, num_frames: int, seed: int, scaling: float = 100.0, **changes) -> None:
    poses, trans = dance_poses(num_frames, seed)
    data = {"smpl_poses": poses, "smpl_trans": trans, "smpl_scaling": np.array([scaling]), "smpl_loss": 0.1}
    data.update(changes)
    with path.open("wb") as handle:
        pickle.dump(data, handle)


def write_tone(path: Path, seconds: float, sample_rate: int = 44_100, frequency: float = 220.0) -> None:
    """A mono sine tone with 2 Hz clicks, as 16-bit WAV."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    audio = 0.3 * np.sin(2 * np.pi * frequency * t) + 0.5 * (np.mod(t, 0.5) < 0.01)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio.astype(np.float32), sample_rate, subtype="PCM_16")


def smpl24_dance(num_frames: int, seed: int) -> np.ndarray:
    """``[N, 24, 3]`` joints (metres, y up) of mumo's average body doing :func:`dance_poses`."""
    poses, trans = dance_poses(num_frames, seed)
    rotations = Rotation.from_rotvec(poses.reshape(-1, 3)).as_matrix().reshape(num_frames, 24, 3, 3)
    return SMPL24.forward_kinematics(rotations, trans / 100)


def coco17_from_smpl24(joints: np.ndarray) -> np.ndarray:
    """COCO keypoints ``[N, 17, 3]``: the limbs of ``joints`` ``[N, 24, 3]`` and a face around the head."""
    names = SMPL24.joint_names
    keypoints = np.zeros((len(joints), len(COCO17_NAMES), 3))
    for index, name in enumerate(COCO17_NAMES[5:], start=5):
        keypoints[:, index] = joints[:, names.index(name)]
    head, neck = joints[:, names.index("head")], joints[:, names.index("neck")]
    up = _unit(head - neck)
    left = _unit(joints[:, names.index("left_shoulder")] - joints[:, names.index("right_shoulder")])
    forward = _unit(np.cross(left, up))
    face = {
        "nose": (0.0, 0.05, 0.10),
        "left_eye": (0.03, 0.08, 0.08),
        "right_eye": (-0.03, 0.08, 0.08),
        "left_ear": (0.07, 0.05, 0.0),
        "right_ear": (-0.07, 0.05, 0.0),
    }
    for name, (x, y, z) in face.items():
        keypoints[:, COCO17_NAMES.index(name)] = head + x * left + y * up + z * forward
    return keypoints


def write_keypoint_pickle(path: Path, keypoints_m: np.ndarray, key: str = "keypoints3d_optim") -> None:
    """An AIST++ keypoint pickle: ``keypoints_m`` (metres) stored in centimetres under ``key``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump({key: keypoints_m * 100.0}, handle)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)
