"""Per-channel mean/std normalisation of 263-d motion features, saved as ``motion_stats.npz``.

The file records the feature definition the statistics were computed with (``feature_version``, see
:data:`mumo.motion.features.FEATURE_VERSION`; files without it are of version 1); statistics of another
definition are refused when loaded, since their channels mean something else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mumo.errors import DataError, MotionError
from mumo.motion.features import FEATURE_DIM, FEATURE_VERSION, MUMO_DANCE_VERSION, check_feature_version
from mumo.motion.validate import validate_features

STD_FLOOR = 1e-4
"""Smallest standard deviation used for a channel, in the channel's own units (m, m/frame, rad/frame,
6-D components). Channels that barely vary (e.g. contacts of a clip set that never lifts a foot) are
divided by this instead of by ~0, which keeps normalised values bounded."""


@dataclass(frozen=True)
class FeatureStats:
    """Mean and standard deviation of every feature channel.

    Attributes:
        mean: ``[263]`` channel means.
        std: ``[263]`` channel standard deviations, each at least :data:`STD_FLOOR`.
        feature_version: the feature definition they describe (:data:`~mumo.motion.features.FEATURE_VERSION`).
    """

    mean: np.ndarray
    std: np.ndarray
    feature_version: int = FEATURE_VERSION

    def normalize(self, features: np.ndarray) -> np.ndarray:
        """``(features - mean) / std`` for ``[..., T, 263]`` features; returns float32."""
        features = validate_features(features, FEATURE_DIM)
        return ((features - self.mean) / self.std).astype(np.float32)

    def denormalize(self, features: np.ndarray) -> np.ndarray:
        """``features * std + mean`` for ``[..., T, 263]`` normalised features; returns float32."""
        features = validate_features(features, FEATURE_DIM)
        return (features * self.std + self.mean).astype(np.float32)

    def save(self, path: str | Path) -> None:
        """Write an ``.npz`` with float32 arrays ``mean`` and ``std`` (shape ``[263]``) and the integer
        ``feature_version``."""
        np.savez(
            Path(path),
            mean=self.mean.astype(np.float32),
            std=self.std.astype(np.float32),
            feature_version=np.array(self.feature_version),
        )

    @classmethod
    def load(cls, path: str | Path) -> FeatureStats:
        """Read statistics written by :meth:`save`.

        Raises:
            DataError: if the file is missing, lacks ``[263]`` arrays ``mean`` and ``std``, or was computed
                with another feature definition.
        """
        path = Path(path)
        if not path.is_file():
            raise DataError(f"motion statistics file {path} not found; build the dataset to create it")
        with np.load(path) as archive:
            arrays = {key: np.asarray(archive[key], dtype=np.float64) for key in archive.files}
        for key in ("mean", "std"):
            if arrays.get(key, np.empty(0)).shape != (FEATURE_DIM,):
                raise DataError(f"{path} must hold a [{FEATURE_DIM}] array '{key}'; recompute the statistics")
        if not np.all(arrays["std"] > 0):
            raise DataError(f"{path} has non-positive 'std' entries; recompute the statistics")
        version = int(arrays.get("feature_version", MUMO_DANCE_VERSION))  # files before versions: 1
        try:
            check_feature_version(version)
        except MotionError as exc:
            raise DataError(f"{path}: {exc}; prepare the dataset again to recompute them") from None
        return cls(mean=arrays["mean"], std=arrays["std"], feature_version=version)


def compute_feature_stats(
    feature_arrays: Iterable[np.ndarray], std_floor: float = STD_FLOOR, feature_version: int = FEATURE_VERSION
) -> FeatureStats:
    """Channel statistics over all frames of all clips (every frame weighs the same).

    Args:
        feature_arrays: clips of ``[T_i, 263]`` de-normalised features.
        std_floor: lower bound on each channel's standard deviation (see :data:`STD_FLOOR`).
        feature_version: the definition the features were computed with (recorded with the statistics).

    Returns:
        The statistics (float64).

    Raises:
        MotionError: if there are no clips or one of them is invalid.
    """
    clips = [validate_features(clip, FEATURE_DIM).reshape(-1, FEATURE_DIM) for clip in feature_arrays]
    if not clips:
        raise MotionError("no feature clips given; statistics need at least one clip")
    num_frames = sum(len(clip) for clip in clips)
    mean = sum(clip.sum(axis=0) for clip in clips) / num_frames
    variance = sum(((clip - mean) ** 2).sum(axis=0) for clip in clips) / num_frames
    return FeatureStats(
        mean=mean, std=np.maximum(np.sqrt(variance), std_floor), feature_version=feature_version
    )
