"""The motion VQ-VAE: 1-D convolutions over normalised 263-d features, residual-quantised at 50 Hz.

The only change of time resolution is a linear resampling inside the model: ``T_frames`` input frames at
``input_fps`` become ``T_tokens = round_half_up(T_frames * token_rate / input_fps)`` latent steps, and the
decoder resamples back (to ``T_frames`` when it is given, else to ``round_half_up(T_tokens * input_fps /
token_rate)``). Encoder and decoder are stacks of dilated pre-activation residual blocks.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mumo.errors import ConfigError, MotionError
from mumo.motion import FEATURE_DIM, FeatureStats
from mumo.motion.features import POSITION_CHANNELS
from mumo.tokenizers.kinematic_losses import foot_slide_loss, joint_path_loss, rebuild_joints
from mumo.tokenizers.rvq import QuantizerOutput, ResidualVectorQuantizer, RVQConfig


@dataclass(frozen=True)
class MotionVQVAEConfig:
    """Architecture and loss weights of a :class:`MotionVQVAE`.

    Attributes:
        input_dim: feature channels (263).
        channels: encoder widths, first to last; the decoder mirrors them. The last one feeds the latent.
        res_depth: dilated residual blocks per stage (dilations ``growth**0 .. growth**(depth-1)``).
        dilation_growth: factor between consecutive dilations.
        input_fps: frame rate of the features, frames per second.
        token_rate: code frame rate, Hz.
        quantizer: the residual VQ (its ``dim`` is the latent width).
        velocity_weight: weight of the frame-to-frame difference MSE in the loss.
        acceleration_weight: weight of the MSE of second differences (frame to frame to frame).
        jerk_weight: weight of the MSE of third differences. Small, fast errors barely move the feature MSE
            but dominate the jitter (m/s³) of the decoded joints, which is a third difference at 60 fps;
            this term weighs them (docs/quality.md, "Floors and ceilings").
        jerk_channels: the features the jerk term reads: ``"all"``, or ``"positions"`` (the root channels and
            the joint positions, :data:`~mumo.motion.features.POSITION_CHANNELS`: the ones the decoded joints'
            jitter is made of, leaving rotations and velocities free to follow the data).
        commitment_weight: weight of the commitment loss.
        foot_slide_weight: weight of the foot-sliding term
            (:func:`~mumo.tokenizers.kinematic_losses.foot_slide_loss`: the mean squared horizontal speed,
            (m/s)², of the rebuilt ankles and toes where the target's contact channels mark them standing).
        joint_path_weight: weight of the MSE (m²) of the joints rebuilt over the window, root path and turns
            included (:func:`~mumo.tokenizers.kinematic_losses.joint_path_loss`). The two terms read
            de-normalised features, so the model needs the feature statistics (``MotionVQVAE(...,
            stats=...)``, as :class:`~mumo.tokenizers.motion_tokenizer.MotionTokenizer` builds it).
        decoder_code_noise: in training, the share of code frames whose decoder input is the codebook vectors
            of uniformly random codes instead of their own, so that the decoder learns to decode sequences
            its encoder never makes, as an LM's samples are (0: none).
    """

    input_dim: int = FEATURE_DIM
    channels: tuple[int, ...] = (256, 224, 192, 144, 128)
    res_depth: int = 3
    dilation_growth: int = 2
    input_fps: float = 60.0
    token_rate: float = 50.0
    quantizer: RVQConfig = field(
        default_factory=lambda: RVQConfig(num_codebooks=4, codebook_size=512, dim=128)
    )
    velocity_weight: float = 1.0
    acceleration_weight: float = 0.0
    jerk_weight: float = 0.0
    jerk_channels: str = "all"
    commitment_weight: float = 0.02
    foot_slide_weight: float = 0.0
    joint_path_weight: float = 0.0
    decoder_code_noise: float = 0.0

    def __post_init__(self) -> None:
        if min(self.foot_slide_weight, self.joint_path_weight) < 0 or not 0 <= self.decoder_code_noise < 1:
            raise ConfigError(
                "foot_slide_weight and joint_path_weight must be >= 0 and decoder_code_noise in [0, 1), got "
                f"{self.foot_slide_weight}, {self.joint_path_weight} and {self.decoder_code_noise}"
            )
        if not self.channels or min(self.channels) < 1 or self.res_depth < 1:
            raise ConfigError(f"motion VQ-VAE needs positive channels and res_depth, got {self}")
        if self.jerk_channels not in ("all", "positions"):
            raise ConfigError(f"jerk_channels must be 'all' or 'positions', got {self.jerk_channels!r}")
        if self.input_fps <= 0 or self.token_rate <= 0:
            raise ConfigError(
                f"input_fps and token_rate must be positive, got {self.input_fps}, {self.token_rate}"
            )

    def to_dict(self) -> dict:
        """Plain JSON-serialisable form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MotionVQVAEConfig:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["channels"] = tuple(data["channels"])
        data["quantizer"] = RVQConfig(**data["quantizer"])
        return cls(**data)


@dataclass
class MotionVQVAEOutput:
    """Result of :meth:`MotionVQVAE.forward`.

    Attributes:
        reconstruction: ``[B, T_frames, 263]`` decoded features.
        codes: ``[B, K, T_tokens]`` code indices.
        loss: scalar total loss (feature MSE + velocity + acceleration + jerk + commitment terms, weighted).
        feature_loss: scalar feature MSE.
        velocity_loss: scalar MSE of frame-to-frame differences.
        acceleration_loss: scalar MSE of second differences (0 for fewer than 3 frames).
        jerk_loss: scalar MSE of third differences (0 for fewer than 4 frames).
        foot_slide_loss: scalar foot-sliding term, (m/s)² (0 when neither joint term is weighted).
        joint_path_loss: scalar MSE of the rebuilt joints, m² (0 when neither joint term is weighted).
        quantizer: the quantiser's output (commitment loss, usage, perplexity).
    """

    reconstruction: torch.Tensor
    codes: torch.Tensor
    loss: torch.Tensor
    feature_loss: torch.Tensor
    velocity_loss: torch.Tensor
    acceleration_loss: torch.Tensor
    jerk_loss: torch.Tensor
    foot_slide_loss: torch.Tensor
    joint_path_loss: torch.Tensor
    quantizer: QuantizerOutput


def round_half_up(value: float) -> int:
    """Nearest integer, halves rounded up (``2.5 -> 3``)."""
    return math.floor(value + 0.5)


class DilatedResidualStack(nn.Module):
    """``depth`` pre-activation residual blocks ``x + Conv1x1(ReLU(Conv_k3_dil(ReLU(x))))`` at constant
    width, dilations from largest to smallest. Maps ``[B, C, T]`` to ``[B, C, T]``."""

    def __init__(self, channels: int, depth: int, growth: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            nn.Sequential(
                nn.ReLU(),
                nn.Conv1d(channels, channels, 3, padding=growth**i, dilation=growth**i),
                nn.ReLU(),
                nn.Conv1d(channels, channels, 1),
            )
            for i in reversed(range(depth))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = x + block(x)
        return x


def _encoder(config: MotionVQVAEConfig) -> nn.Sequential:
    widths = config.channels
    layers: list[nn.Module] = [nn.Conv1d(config.input_dim, widths[0], 3, padding=1), nn.ReLU()]
    for width_in, width_out in itertools.pairwise(widths):
        layers += [
            nn.Conv1d(width_in, width_out, 3, padding=1),
            DilatedResidualStack(width_out, config.res_depth, config.dilation_growth),
        ]
    layers.append(nn.Conv1d(widths[-1], config.quantizer.dim, 3, padding=1))
    return nn.Sequential(*layers)


def _decoder(config: MotionVQVAEConfig) -> nn.Sequential:
    widths = config.channels[::-1]
    layers: list[nn.Module] = [nn.Conv1d(config.quantizer.dim, widths[0], 3, padding=1), nn.ReLU()]
    for width_in, width_out in itertools.pairwise(widths):
        layers += [
            DilatedResidualStack(width_in, config.res_depth, config.dilation_growth),
            nn.Conv1d(width_in, width_out, 3, padding=1),
        ]
    layers += [
        nn.Conv1d(widths[-1], widths[-1], 3, padding=1),
        nn.ReLU(),
        nn.Conv1d(widths[-1], config.input_dim, 3, padding=1),
    ]
    return nn.Sequential(*layers)


class MotionVQVAE(nn.Module):
    """Normalised features ``[B, T_frames, 263]`` at ``input_fps`` ↔ codes ``[B, K, T_tokens]`` at
    ``token_rate`` Hz."""

    def __init__(
        self,
        config: MotionVQVAEConfig,
        codebooks: torch.Tensor | None = None,
        stats: FeatureStats | None = None,
    ) -> None:
        """Build the model; ``codebooks [K, N, D]`` are external codebooks for the quantiser (pass them with
        ``config.quantizer.frozen`` to share a music codec's codebook space); ``stats`` are the statistics
        its features are normalised with (the joint terms need them; they are not saved with the weights).

        Raises:
            ConfigError: a joint term (``foot_slide_weight``, ``joint_path_weight``) is weighted without
                ``stats``.
        """
        super().__init__()
        self.config = config
        self.encoder = _encoder(config)
        self.quantizer = ResidualVectorQuantizer(config.quantizer, codebooks)
        self.decoder = _decoder(config)
        if self._weighs_joints and stats is None:
            raise ConfigError(
                "foot_slide_weight and joint_path_weight need the feature statistics: "
                "build the model with stats"
            )
        if stats is None:
            mean, std = np.zeros(FEATURE_DIM), np.ones(FEATURE_DIM)
        else:
            mean, std = stats.mean, stats.std
        self.register_buffer("feature_mean", torch.as_tensor(mean, dtype=torch.float32), persistent=False)
        self.register_buffer("feature_std", torch.as_tensor(std, dtype=torch.float32), persistent=False)

    def num_tokens(self, num_frames: int) -> int:
        """Code frames for ``num_frames`` input frames."""
        return max(1, round_half_up(num_frames * self.config.token_rate / self.config.input_fps))

    def num_frames(self, num_tokens: int) -> int:
        """Default decoded frames for ``num_tokens`` code frames."""
        return max(1, round_half_up(num_tokens * self.config.input_fps / self.config.token_rate))

    def embed(self, features: torch.Tensor) -> torch.Tensor:
        """Continuous latents ``[B, D, T_tokens]`` of features ``[B, T_frames, 263]``."""
        if features.dim() != 3 or features.shape[-1] != self.config.input_dim:
            raise MotionError(
                f"motion features must be [B, T, {self.config.input_dim}], got {tuple(features.shape)}"
            )
        x = features.transpose(1, 2).float()  # [B, 263, T_frames]
        x = F.interpolate(x, size=self.num_tokens(x.shape[-1]), mode="linear", align_corners=False)
        return self.encoder(x)

    def reconstruct(self, latents: torch.Tensor, num_frames: int | None = None) -> torch.Tensor:
        """Features ``[B, T_frames, 263]`` from (quantised) latents ``[B, D, T_tokens]``."""
        frames = self.num_frames(latents.shape[-1]) if num_frames is None else num_frames
        x = self.decoder(latents)
        return F.interpolate(x, size=frames, mode="linear", align_corners=False).transpose(1, 2)

    def forward(self, features: torch.Tensor) -> MotionVQVAEOutput:
        """Encode, quantise and decode ``features [B, T_frames, 263]`` (``T_frames >= 2``), with the loss."""
        if features.dim() != 3 or features.shape[1] < 2:
            raise MotionError(f"training features must be [B, T >= 2, 263], got {tuple(features.shape)}")
        quantized = self.quantizer(self.embed(features))
        latents = quantized.quantized
        if self.training and self.config.decoder_code_noise:
            latents = self._with_random_codes(latents)
        reconstruction = self.reconstruct(latents, features.shape[1])
        target = features.float()
        feature_loss, velocity_loss, acceleration_loss = (
            _difference_loss(reconstruction, target, order) for order in range(3)
        )
        jerk_read = POSITION_CHANNELS if self.config.jerk_channels == "positions" else slice(None)
        jerk_loss = _difference_loss(reconstruction[..., jerk_read], target[..., jerk_read], 3)
        slide_loss = path_loss = target.new_zeros(())
        if self._weighs_joints:
            joints = rebuild_joints(self._denormalized(reconstruction))
            target_features = self._denormalized(target)
            slide_loss = foot_slide_loss(joints, target_features, self.config.input_fps)
            path_loss = joint_path_loss(joints, rebuild_joints(target_features))
        loss = (
            feature_loss
            + self.config.velocity_weight * velocity_loss
            + self.config.acceleration_weight * acceleration_loss
            + self.config.jerk_weight * jerk_loss
            + self.config.foot_slide_weight * slide_loss
            + self.config.joint_path_weight * path_loss
            + self.config.commitment_weight * quantized.commitment_loss
        )
        return MotionVQVAEOutput(
            reconstruction,
            quantized.codes,
            loss,
            feature_loss,
            velocity_loss,
            acceleration_loss,
            jerk_loss,
            slide_loss,
            path_loss,
            quantized,
        )

    @property
    def _weighs_joints(self) -> bool:
        return bool(self.config.foot_slide_weight or self.config.joint_path_weight)

    def _with_random_codes(self, latents: torch.Tensor) -> torch.Tensor:
        """``latents [B, D, T]`` with a ``decoder_code_noise`` share of their frames replaced by the summed
        codebook vectors of uniformly random codes (no gradient reaches the encoder through those)."""
        batch, _, steps = latents.shape
        quantizer = self.quantizer.config
        codes = torch.randint(
            quantizer.codebook_size, (batch, quantizer.num_codebooks, steps), device=latents.device
        )
        replaced = torch.rand(batch, 1, steps, device=latents.device) < self.config.decoder_code_noise
        return torch.where(replaced, self.quantizer.decode(codes), latents)

    def _denormalized(self, features: torch.Tensor) -> torch.Tensor:
        return features * self.feature_std + self.feature_mean

    @torch.no_grad()
    def encode(self, features: torch.Tensor) -> torch.Tensor:
        """Codes ``[B, K, T_tokens]`` (int64) of ``features [B, T_frames, 263]``."""
        return self.quantizer.encode(self.embed(features))

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, num_frames: int | None = None) -> torch.Tensor:
        """Features ``[B, T_frames, 263]`` from ``codes [B, K, T_tokens]``."""
        return self.reconstruct(self.quantizer.decode(codes), num_frames)


def _difference_loss(reconstruction: torch.Tensor, target: torch.Tensor, order: int) -> torch.Tensor:
    """MSE of the ``order``-th differences along time of ``[B, T, C]`` features (order 0: of the features
    themselves); 0 when ``T <= order``."""
    if target.shape[1] <= order:
        return target.new_zeros(())
    return F.mse_loss(reconstruction.diff(n=order, dim=1), target.diff(n=order, dim=1))
