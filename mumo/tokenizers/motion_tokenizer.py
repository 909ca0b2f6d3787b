"""The motion tokenizer: a trained :class:`MotionVQVAE` with the feature statistics it was trained on.

A directory holds ``config.json`` (``kind: "motion_vqvae"``, ``feature_version``: the motion-feature
definition it was trained on, see :data:`mumo.motion.features.FEATURE_VERSION`), ``model.safetensors`` and
the feature statistics, ``motion_stats/`` (:class:`~mumo.motion.FeatureStats`: ``config.json`` and
``model.safetensors`` in turn).
``encode``/``decode`` work on normalised features; ``encode_joints``/``decode_to_joints`` on joints in
metres at the model's input frame rate (60 fps), normalising with the saved statistics.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from mumo.errors import CheckpointError, MotionError
from mumo.motion import FeatureStats, features_to_joints, joints_to_features
from mumo.motion.features import MUMO_DANCE_VERSION, check_feature_version
from mumo.motion.normalization import missing_stats_message
from mumo.tokenizers.artifacts import load_weights, read_config, read_model_config, write_artifacts
from mumo.tokenizers.motion_vqvae import MotionVQVAE, MotionVQVAEConfig

MOTION_KIND = "motion_vqvae"
STATS_DIR = "motion_stats"


class MotionTokenizer(nn.Module):
    """Normalised 263-d features ``[B, T_frames, 263]`` at ``input_fps`` ↔ codes ``[B, K, T_tokens]``."""

    def __init__(self, model: MotionVQVAE, stats: FeatureStats) -> None:
        super().__init__()
        self.model = model
        self.stats = stats

    @classmethod
    def create(
        cls, config: MotionVQVAEConfig, stats: FeatureStats, codebooks: torch.Tensor | None = None
    ) -> MotionTokenizer:
        """A new, untrained tokenizer (``codebooks [K, N, D]``: external codebooks for the quantiser)."""
        return cls(MotionVQVAE(config, codebooks, stats), stats)

    @property
    def frame_rate(self) -> float:
        """Code frames per second (Hz)."""
        return float(self.model.config.token_rate)

    @property
    def input_fps(self) -> float:
        """Frame rate of the features and joints it takes, frames per second."""
        return float(self.model.config.input_fps)

    @property
    def num_codebooks(self) -> int:
        """K, the number of code streams."""
        return self.model.config.quantizer.num_codebooks

    @property
    def cardinality(self) -> int:
        """Entries per codebook."""
        return self.model.config.quantizer.codebook_size

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``[B, K, T_tokens]`` (int64) of normalised features ``[B, T_frames, 263]``."""
        return self.model.encode(x.to(self._device))

    def decode(self, codes: torch.Tensor, num_frames: int | None = None) -> torch.Tensor:
        """Normalised features ``[B, T_frames, 263]`` from ``codes [B, K, T_tokens]``."""
        return self.model.decode(codes, num_frames)

    def encode_joints(self, joints: torch.Tensor | np.ndarray) -> torch.Tensor:
        """Codes ``[B, K, T_tokens]`` of joints ``[B, T_frames, 22, 3]`` (metres, y up, at ``input_fps``).

        Raises:
            MotionError: joints are not ``[B, T, 22, 3]`` with ``T >= 3`` and finite values.
        """
        joints = np.asarray(joints.detach().cpu() if isinstance(joints, torch.Tensor) else joints)
        if joints.ndim != 4:
            raise MotionError(f"joints must be [B, T, 22, 3], got shape {joints.shape}")
        features = np.stack(
            [
                self.stats.normalize(joints_to_features(clip, self.input_fps, self.stats.feature_version))
                for clip in joints
            ]
        )
        return self.encode(torch.from_numpy(features).to(self._device))

    def decode_to_joints(self, codes: torch.Tensor, num_frames: int | None = None) -> torch.Tensor:
        """Joints ``[B, T_frames, 22, 3]`` (float32, metres, canonical start) of ``codes [B, K, T_tokens]``.

        ``num_frames`` defaults to the frames that ``T_tokens`` codes stand for at the input fps.
        """
        features = self.decode(codes.to(self._device), num_frames).cpu().numpy()
        return torch.from_numpy(features_to_joints(self.stats.denormalize(features)))

    def save(self, directory: str | Path) -> None:
        """Write ``config.json``, ``model.safetensors`` and ``motion_stats/`` into ``directory``."""
        config = {"model": self.model.config.to_dict(), "feature_version": self.stats.feature_version}
        path = write_artifacts(directory, MOTION_KIND, config, self.model)
        self.stats.save(path / STATS_DIR)

    @classmethod
    def load(cls, directory: str | Path) -> MotionTokenizer:
        """Read a directory written by :meth:`save`.

        Raises:
            CheckpointError: a file is missing, of another kind, does not fit the configuration, or the
                tokenizer was trained on another motion-feature definition.
        """
        model_config = read_model_config(directory, MOTION_KIND, MotionVQVAEConfig.from_dict)
        version = read_config(directory).get("feature_version", MUMO_DANCE_VERSION)  # before versions: 1
        try:
            check_feature_version(version)
        except MotionError as exc:
            raise CheckpointError(
                f"{directory}: {exc}; retrain the tokenizer on a re-prepared dataset"
            ) from None
        stats_path = Path(directory) / STATS_DIR
        if not stats_path.is_dir():
            raise CheckpointError(
                missing_stats_message(
                    stats_path,
                    f"a motion tokenizer directory needs {STATS_DIR}/; "
                    "retrain the tokenizer (`mumo tokenize train-motion`) on a dataset built by this mumo",
                )
            )
        stats = FeatureStats.load(stats_path)
        model = MotionVQVAE(model_config, stats=stats)
        load_weights(directory, model)
        return cls(model, stats)

    @property
    def _device(self) -> torch.device:
        return next(self.model.parameters()).device
