"""Dance metrics under the Bailando/AIST++ protocol: FID_k, FID_m, Div_k, Div_m (+ bootstrap intervals).

Protocol: the frame-0 root position is subtracted from every joint of a clip; generated clips are cut to their
first 1200 frames (20 s at 60 fps), ground-truth clips are used whole; kinetic and manual features are
z-normalised with the ground-truth pool's mean and std (``ddof = 0``, ``+1e-10``); FID is the Fréchet distance
of generated vs. ground-truth features; Div is the mean Euclidean distance over all pairs of one set.
Joints are ``[T, 24, 3]`` (SMPL) or ``[T, 22, 3]`` (SMPL22 variant), metres, y up, 60 fps.

SMPL22 variant (mumo's own skeleton, HumanML3D; what UniMuMo and Lodge score): the first 22 SMPL joints
only, so kinetic features are 66-d and the manual features' lowest-joint reference ``y_min`` is taken over
22 joints.
Pass ``num_joints=22`` to score 22-joint clips against a 24-joint ground truth (the extra hand joints of the
24-joint clips are dropped). Numbers of the two variants are not comparable with each other.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import pdist

from mumo.errors import DataError, MotionError
from mumo.metrics.dance_features import kinetic_features, manual_features
from mumo.metrics.frechet import frechet_distance_between

log = logging.getLogger(__name__)

MAX_GENERATED_FRAMES = 1200
"""Generated clips are cut to this many frames (20 s at 60 fps)."""
NORMALISATION_EPS = 1e-10


@dataclass(frozen=True)
class DanceFeatures:
    """Kinetic ``[N, 3J]`` and manual ``[N, 32]`` features of N clips (float32, unnormalised)."""

    kinetic: np.ndarray
    manual: np.ndarray

    def take(self, indices: np.ndarray) -> DanceFeatures:
        return DanceFeatures(self.kinetic[indices], self.manual[indices])


def zero_start(joints: np.ndarray) -> np.ndarray:
    """Subtract the frame-0 root position from every joint of every frame (``[T, J, 3]``)."""
    joints = np.asarray(joints, dtype=np.float64)
    return joints - joints[0:1, 0:1]


def select_joints(clips: Sequence[np.ndarray], num_joints: int | None) -> list[np.ndarray]:
    """The first ``num_joints`` joints of every clip ``[T, J, 3]`` (``None``: clips unchanged).

    Raises:
        MotionError: a clip has fewer joints than asked for.
    """
    if num_joints is None:
        return list(clips)
    short = [i for i, clip in enumerate(clips) if np.shape(clip)[1] < num_joints]
    if short:
        raise MotionError(f"clips {short[:5]} have fewer than {num_joints} joints")
    return [np.asarray(clip)[:, :num_joints] for clip in clips]


def extract_features(
    clips: Sequence[np.ndarray], max_frames: int | None = None, subtract_start: bool = True
) -> DanceFeatures:
    """Kinetic and manual features of each clip, cut to ``max_frames`` and (by default) after
    :func:`zero_start`."""
    kinetic, manual = [], []
    for clip in clips:
        prepared = np.asarray(clip[:max_frames] if max_frames else clip, dtype=np.float64)
        if subtract_start:
            prepared = zero_start(prepared)
        kinetic.append(kinetic_features(prepared))
        manual.append(manual_features(prepared))
    return DanceFeatures(np.stack(kinetic), np.stack(manual))


def normalise(features: np.ndarray, gt_features: np.ndarray) -> np.ndarray:
    """z-normalise with the ground-truth pool's statistics, like the reference (float32)."""
    mean = gt_features.mean(axis=0)
    std = gt_features.std(axis=0)
    return ((features - mean) / (std + NORMALISATION_EPS)).astype(np.float32)


def diversity(features: np.ndarray) -> float:
    """Mean Euclidean distance over all unordered pairs of rows of ``features`` ``[N, D]``."""
    return float(pdist(np.asarray(features, dtype=np.float64)).mean()) if len(features) > 1 else 0.0


class ZeroVarianceWarning(RuntimeWarning):
    """Feature dimensions constant in the ground truth vary in the generated clips: the protocol's
    normalisation divides by 1e-10 there, so that suite's FID and Div blow up and no longer rank models.

    Attributes:
        suffix: ``"k"`` (kinetic) or ``"m"`` (manual), for the metrics ``fid_<suffix>``, ``div_<suffix>``.
        kind: ``"kinetic"`` or ``"manual"``.
        dims: the feature dimensions concerned.
    """

    def __init__(self, suffix: str, dims: list[int]):
        self.suffix = suffix
        self.kind = "kinetic" if suffix == "k" else "manual"
        self.dims = dims
        super().__init__(
            f"{self.kind} feature dims {dims} are constant in the ground truth but vary in the generated "
            "clips: normalisation divides by 1e-10 there and FID/Div blow up"
        )


def _warn_zero_variance(suffix: str, generated: np.ndarray, gt: np.ndarray) -> None:
    constant = gt.std(axis=0) == 0
    differs = constant & np.any(generated != gt[0], axis=0)
    if differs.any():
        warnings.warn(ZeroVarianceWarning(suffix, np.flatnonzero(differs).tolist()), stacklevel=3)


def _scores(generated: DanceFeatures, gt: DanceFeatures) -> dict[str, float]:
    out: dict[str, float] = {}
    for suffix, gen, ref in (("k", generated.kinetic, gt.kinetic), ("m", generated.manual, gt.manual)):
        gen_n, ref_n = normalise(gen, ref), normalise(ref, ref)
        out[f"fid_{suffix}"] = frechet_distance_between(gen_n, ref_n)
        out[f"div_{suffix}"] = diversity(gen_n)
    return out


def evaluate_features(
    generated: DanceFeatures, gt: DanceFeatures, bootstrap: int = 0, seed: int = 0
) -> dict[str, float | list[float]]:
    """FID/Div from precomputed features; see :func:`evaluate`."""
    _warn_zero_variance("k", generated.kinetic, gt.kinetic)
    _warn_zero_variance("m", generated.manual, gt.manual)
    result: dict[str, float | list[float]] = dict(_scores(generated, gt))
    result["div_k_gt"] = diversity(normalise(gt.kinetic, gt.kinetic))
    result["div_m_gt"] = diversity(normalise(gt.manual, gt.manual))
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        count = len(generated.kinetic)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            samples = [_scores(generated.take(rng.integers(0, count, count)), gt) for _ in range(bootstrap)]
        for key in ("fid_k", "fid_m", "div_k", "div_m"):
            values = np.array([s[key] for s in samples])
            result[f"{key}_ci95"] = [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]
    return result


def evaluate(
    generated: Sequence[np.ndarray],
    ground_truth: Sequence[np.ndarray] | DanceFeatures,
    bootstrap: int = 0,
    seed: int = 0,
    max_generated_frames: int = MAX_GENERATED_FRAMES,
    subtract_start: bool = True,
    num_joints: int | None = None,
) -> dict[str, float | list[float]]:
    """Dance metrics of generated clips against a ground-truth pool.

    Args:
        generated: clips ``[T, J, 3]`` (J = 24, or 22 for the SMPL22 variant), metres, y up, 60 fps.
        ground_truth: clips in the same format, or their precomputed :class:`DanceFeatures`
            (see :class:`mumo.metrics.cache.FeatureCache`).
        bootstrap: number of bootstrap resamples of the generated clips; when > 0, adds
            ``{fid_k,fid_m,div_k,div_m}_ci95 = [low, high]`` (95 % percentile intervals). Resampling with
            replacement duplicates clips, which biases FID up and Div down, so for small sets the interval
            can lie beside the point estimate: read it as the spread of the metric, not as a correction.
        seed: seed of the bootstrap.
        max_generated_frames: generated clips are cut to this many frames.
        subtract_start: subtract each clip's frame-0 root position first (the protocol; ``False`` scores the
            joints as given).
        num_joints: score only the first ``num_joints`` joints of every clip (``22``: the SMPL22 variant, see
            the module docstring); ``None`` scores clips as given, and both sets must have the same joints.

    Returns:
        ``fid_k``, ``fid_m``, ``div_k``, ``div_m``, ``div_k_gt``, ``div_m_gt`` as Python floats (never
        complex), plus the intervals when requested.
    """
    if len(generated) < 2:
        raise DataError(f"dance metrics need at least 2 generated clips, got {len(generated)}")
    gt = (
        ground_truth
        if isinstance(ground_truth, DanceFeatures)
        else extract_features(select_joints(ground_truth, num_joints), subtract_start=subtract_start)
    )
    if len(gt.kinetic) < 2:
        raise DataError("dance metrics need at least 2 ground-truth clips")
    features = extract_features(
        select_joints(generated, num_joints), max_frames=max_generated_frames, subtract_start=subtract_start
    )
    if features.kinetic.shape[1] != gt.kinetic.shape[1]:
        raise MotionError(
            f"generated clips have {features.kinetic.shape[1] // 3} joints, ground truth "
            f"{gt.kinetic.shape[1] // 3}: score both on the same skeleton (num_joints=22 for SMPL22)"
        )
    return evaluate_features(features, gt, bootstrap=bootstrap, seed=seed)
