"""Tiny motion clips and model configurations shared by the tokenizer tests."""

import numpy as np
from scipy.spatial.transform import Rotation

from mumo.motion.skeleton import SMPL22
from mumo.tokenizers.audio_codec import AudioCodecConfig
from mumo.tokenizers.motion_vqvae import MotionVQVAEConfig
from mumo.tokenizers.rvq import RVQConfig


def swaying_clip(num_frames: int, seed: int, fps: float = 60.0) -> np.ndarray:
    """``[T, 22, 3]`` joints: a body turning slowly, bouncing and swinging its arms at a random tempo."""
    rng = np.random.default_rng(seed)
    time = np.arange(num_frames) / fps
    phase = 2 * np.pi * rng.uniform(1.0, 2.5) * time
    rotations = np.broadcast_to(np.eye(3), (num_frames, 22, 3, 3)).copy()
    rotations[:, 0] = Rotation.from_rotvec(np.outer(0.5 * time, [0, 1, 0])).as_matrix()
    rotations[:, 16] = Rotation.from_rotvec(np.outer(-0.8 * (1 + np.sin(phase)), [0, 0, 1])).as_matrix()
    rotations[:, 4] = Rotation.from_rotvec(np.outer(0.4 * (1 - np.cos(phase)), [1, 0, 0])).as_matrix()
    root = np.stack([0.2 * time, 0.93 + 0.04 * np.sin(2 * phase), np.zeros_like(time)], axis=-1)
    return SMPL22.forward_kinematics(rotations, root).astype(np.float32)


TINY_MOTION = MotionVQVAEConfig(
    channels=(32, 24),
    res_depth=2,
    quantizer=RVQConfig(num_codebooks=2, codebook_size=16, dim=8, dead_code_steps=5),
)


TINY_CODEC = AudioCodecConfig(
    channels=2,
    quantizer=RVQConfig(num_codebooks=2, codebook_size=16, dim=8, dead_code_steps=5),
    stft_sizes=(64, 128),
)
