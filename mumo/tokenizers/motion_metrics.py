"""Reconstruction quality of a motion tokenizer, measured on joints."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from mumo.errors import MotionError
from mumo.motion import canonicalize_joints
from mumo.motion.kinematics import jitter
from mumo.tokenizers.motion_tokenizer import MotionTokenizer


@dataclass(frozen=True)
class MotionReconstruction:
    """Errors of joints decoded from a tokenizer's codes against the originals.

    Attributes:
        mpjpe_mm: mean per-joint position error, millimetres (over whole clips: the root's integrated path
            drifts, and its drift counts).
        root_relative_mpjpe_mm: the same with each frame's root position subtracted from both: the pose,
            without the path's drift.
        acceleration_error_mm: mean norm of the per-joint acceleration difference, millimetres per frame².
        jitter_m_s3: mean jerk magnitude of the decoded joints, m/s³ (:func:`~mumo.motion.kinematics.jitter`:
            the smoothness a model generating these codes can at best reach).
        reference_jitter_m_s3: the same of the original joints.
        usage: ``[K]`` fraction of each codebook's entries used by the clips' codes.
    """

    mpjpe_mm: float
    root_relative_mpjpe_mm: float
    acceleration_error_mm: float
    jitter_m_s3: float
    reference_jitter_m_s3: float
    usage: list[float]

    def as_metrics(self) -> dict[str, float]:
        """The numbers by name (usage averaged over codebooks), for the training loggers."""
        return {
            "mpjpe_mm": self.mpjpe_mm,
            "root_relative_mpjpe_mm": self.root_relative_mpjpe_mm,
            "acceleration_error_mm": self.acceleration_error_mm,
            "jitter_m_s3": self.jitter_m_s3,
            "reference_jitter_m_s3": self.reference_jitter_m_s3,
            "code_usage": float(np.mean(self.usage)),
        }


def mpjpe_mm(predicted: np.ndarray, reference: np.ndarray) -> float:
    """Mean per-joint position error in millimetres between joints ``[..., T, J, 3]`` in metres."""
    predicted, reference = _same_shape(predicted, reference)
    return float(np.linalg.norm(predicted - reference, axis=-1).mean() * 1000.0)


def root_relative_mpjpe_mm(predicted: np.ndarray, reference: np.ndarray) -> float:
    """:func:`mpjpe_mm` of joints ``[..., T, J, 3]`` (metres, the root first) with each frame's root position
    subtracted from both."""
    predicted, reference = _same_shape(predicted, reference)
    return mpjpe_mm(predicted - predicted[..., :1, :], reference - reference[..., :1, :])


def acceleration_error_mm(predicted: np.ndarray, reference: np.ndarray) -> float:
    """Mean norm of the second temporal difference's error, millimetres per frame², joints ``[..., T, J, 3]``
    in metres with ``T >= 3``."""
    predicted, reference = _same_shape(predicted, reference)
    if predicted.shape[-3] < 3:
        raise MotionError(f"acceleration needs at least 3 frames, got {predicted.shape[-3]}")
    difference = np.diff(predicted, n=2, axis=-3) - np.diff(reference, n=2, axis=-3)
    return float(np.linalg.norm(difference, axis=-1).mean() * 1000.0)


def evaluate_reconstruction(tokenizer: MotionTokenizer, clips: list[np.ndarray]) -> MotionReconstruction:
    """Encode and decode each joint clip ``[T, 22, 3]`` (metres, at the tokenizer's input fps) and compare
    the decoded joints with the canonicalised originals (the placement decoded joints start from)."""
    errors, relative_errors, accelerations, jitters, reference_jitters, used = [], [], [], [], [], []
    fps = tokenizer.input_fps
    with torch.no_grad():
        for joints in clips:
            codes = tokenizer.encode_joints(joints[None])  # [1, K, T_tokens]
            decoded = tokenizer.decode_to_joints(codes, len(joints))[0].numpy()
            reference = canonicalize_joints(joints)
            errors.append(mpjpe_mm(decoded, reference))
            relative_errors.append(root_relative_mpjpe_mm(decoded, reference))
            accelerations.append(acceleration_error_mm(decoded, reference))
            jitters.append(jitter(decoded, fps))
            reference_jitters.append(jitter(reference, fps))
            used.append(codes[0])
    codes = torch.cat(used, dim=-1)  # [K, total tokens]
    usage = [len(torch.unique(row)) / tokenizer.cardinality for row in codes]
    return MotionReconstruction(
        mpjpe_mm=float(np.mean(errors)),
        root_relative_mpjpe_mm=float(np.mean(relative_errors)),
        acceleration_error_mm=float(np.mean(accelerations)),
        jitter_m_s3=float(np.mean(jitters)),
        reference_jitter_m_s3=float(np.mean(reference_jitters)),
        usage=usage,
    )


def _same_shape(predicted: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    predicted, reference = np.asarray(predicted, np.float64), np.asarray(reference, np.float64)
    if predicted.shape != reference.shape or predicted.ndim < 3 or predicted.shape[-1] != 3:
        raise MotionError(
            f"joint arrays must share a [..., T, J, 3] shape, got {predicted.shape} and {reference.shape}"
        )
    return predicted, reference
