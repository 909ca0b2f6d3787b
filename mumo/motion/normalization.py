"""Per-channel mean/std normalisation of 263-d motion features, saved as a ``motion_stats/`` folder.

The folder follows mumo's one form of a saved artefact (:mod:`mumo.weights`): ``config.json`` holds
``kind: "motion_stats"``, the feature definition the statistics were computed with (``feature_version``, see
:data:`mumo.motion.features.FEATURE_VERSION`, and its name, ``feature_definition``), ``model.safetensors``
the float32 ``[263]`` tensors ``mean`` and ``std``. Statistics of another definition are refused when
loaded, since their channels mean something else. The ``motion_stats.npz`` files of earlier mumo versions
are not read: the error names the file and how to write the folder instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from mumo.errors import CheckpointError, DataError, MotionError
from mumo.motion.features import FEATURE_DEFINITIONS, FEATURE_DIM, FEATURE_VERSION, check_feature_version
from mumo.motion.validate import validate_features
from mumo.weights import CONFIG_FILE, WEIGHTS_FILE, load_tensor_file, read_config_file, save_tensor_folder

STATS_KIND = "motion_stats"
"""The ``kind`` in the ``config.json`` of saved statistics."""
_WHAT = "motion statistics"
_REBUILD = "build the dataset again (`mumo data synth`, `mumo prepare ...`) to recompute them"

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

    def save(self, directory: str | Path) -> Path:
        """Write the folder ``directory`` (module docstring): ``mean`` and ``std`` as float32 ``[263]``
        tensors and the feature definition in ``config.json``, each file atomically. Returns the folder."""
        config = {
            "kind": STATS_KIND,
            "feature_version": self.feature_version,
            "feature_definition": FEATURE_DEFINITIONS[self.feature_version],
        }
        tensors = {
            "mean": torch.from_numpy(np.ascontiguousarray(self.mean, dtype=np.float32)),
            "std": torch.from_numpy(np.ascontiguousarray(self.std, dtype=np.float32)),
        }
        return save_tensor_folder(directory, config, tensors)

    @classmethod
    def load(cls, directory: str | Path) -> FeatureStats:
        """Read statistics written by :meth:`save` (float64 arrays of the saved float32 values).

        Raises:
            DataError: the folder is missing (naming an old ``motion_stats.npz`` beside it), its files are
                unreadable, it lacks ``[263]`` tensors ``mean`` and ``std`` or holds others (all listed),
                ``std`` has non-positive entries, or it was computed with another feature definition.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise DataError(missing_stats_message(directory, _REBUILD))
        shapes = {"mean": (FEATURE_DIM,), "std": (FEATURE_DIM,)}
        try:
            config = read_config_file(directory, _WHAT)
            tensors = load_tensor_file(directory, shapes, _WHAT)
        except CheckpointError as exc:
            raise DataError(f"{exc}; {_REBUILD}") from None
        if config.get("kind") != STATS_KIND:
            raise DataError(
                f"{directory / CONFIG_FILE} is of kind {config.get('kind')!r}, not {STATS_KIND!r}"
            )
        mean, std = (tensors[name].numpy().astype(np.float64) for name in shapes)
        if not np.all(std > 0):
            raise DataError(f"{directory} has non-positive 'std' entries; {_REBUILD}")
        try:
            version = check_feature_version(config.get("feature_version"))
        except MotionError as exc:
            raise DataError(f"{directory}: {exc}; {_REBUILD}") from None
        definition = config.get("feature_definition")
        if definition != FEATURE_DEFINITIONS[version]:
            raise DataError(
                f"{directory / CONFIG_FILE}: feature_definition {definition!r} is not that of "
                f"feature_version {version} ({FEATURE_DEFINITIONS[version]!r}); {_REBUILD}"
            )
        return cls(mean=mean, std=std, feature_version=version)


def missing_stats_message(directory: Path, remedy: str) -> str:
    """Why the statistics folder ``directory`` cannot be read: it is absent, or only the ``.npz`` file of
    an earlier mumo version (``<directory>.npz``, no longer read) is beside it; ``remedy`` says how to write
    the folder."""
    old = directory.with_suffix(".npz")
    if old.is_file():
        return (
            f"{old} holds motion statistics in the .npz form of earlier mumo versions, which is no longer "
            f"read (statistics are now a folder {directory.name}/ of {CONFIG_FILE} and {WEIGHTS_FILE}); "
            f"{remedy}"
        )
    return f"motion statistics {directory} not found; {remedy}"


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
