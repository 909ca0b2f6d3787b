"""Training the motion tokenizer and the audio codec on a mumo dataset (plain PyTorch loops on random
windows of the train split), then measuring them on the test split."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from mumo.audio import beat_f_measure, detect_beats
from mumo.audio import load as load_audio
from mumo.data.clips import MOTION_FPS, MOTION_STATS_FILE, read_index
from mumo.errors import ConfigError, DataError
from mumo.motion import FeatureStats, joints_to_features
from mumo.tokenizers.audio_codec import AudioCodecConfig
from mumo.tokenizers.motion_metrics import MotionReconstruction, evaluate_reconstruction
from mumo.tokenizers.motion_tokenizer import MotionTokenizer
from mumo.tokenizers.motion_vqvae import MotionVQVAEConfig
from mumo.tokenizers.music_tokenizer import MusicTokenizer
from mumo.tokenizers.rvq import RVQConfig

logger = logging.getLogger(__name__)


@dataclass
class OptimizationConfig:
    """The training loop.

    Attributes:
        steps: optimiser steps (the loop also stops after ``max_seconds`` of wall time, if set).
        batch_size: windows per step.
        window_s: window length, seconds.
        learning_rate: AdamW learning rate (betas 0.9, 0.99, no weight decay).
        seed: seed of the window sampling and initialisation.
        log_every: steps between log lines.
        max_seconds: wall-time budget in seconds; ``0`` means no limit.
    """

    steps: int = 2000
    batch_size: int = 16
    window_s: float = 2.0
    learning_rate: float = 2e-4
    seed: int = 0
    log_every: int = 100
    max_seconds: float = 0.0


@dataclass
class MotionTokenizerTraining:
    """Schema of ``configs/tokenizers/motion_vqvae.yaml``.

    Attributes:
        model: the VQ-VAE.
        optimization: the training loop.
        shared_codebooks: a music tokenizer directory whose codebooks the motion quantiser uses, frozen
            (its K, N and D replace ``model.quantizer``'s); empty for codebooks of its own.
    """

    model: MotionVQVAEConfig = field(default_factory=MotionVQVAEConfig)
    optimization: OptimizationConfig = field(default_factory=OptimizationConfig)
    shared_codebooks: str = ""


@dataclass
class MusicTokenizerTraining:
    """Schema of ``configs/tokenizers/audio_codec.yaml``."""

    model: AudioCodecConfig = field(default_factory=AudioCodecConfig)
    optimization: OptimizationConfig = field(default_factory=lambda: OptimizationConfig(window_s=1.0))


@dataclass(frozen=True)
class FitSummary:
    """How a training loop went: ``steps`` taken in ``seconds``, mean loss of the last ``log_every`` steps."""

    steps: int
    seconds: float
    final_loss: float


@dataclass(frozen=True)
class MotionTrainingResult:
    """A trained motion tokenizer's directory, its training summary and its test-split reconstruction."""

    directory: Path
    fit: FitSummary
    test: MotionReconstruction


@dataclass(frozen=True)
class MusicTrainingResult:
    """A trained music tokenizer's directory, its training summary and test-split quality.

    Attributes:
        beat_f_measure: mean beat F-measure (±70 ms) of beats detected in decoded vs original test audio.
        usage: ``[K]`` fraction of each codebook's entries used on the test split.
    """

    directory: Path
    fit: FitSummary
    beat_f_measure: float
    usage: list[float]


def fit(
    model: nn.Module, sample_batch: Callable[[np.random.Generator], torch.Tensor], config: OptimizationConfig
) -> FitSummary:
    """Train ``model`` (whose forward returns an object with a scalar ``loss``) on batches drawn by
    ``sample_batch(rng)``."""
    rng = np.random.default_rng(config.seed)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, betas=(0.9, 0.99), weight_decay=0
    )
    model.train()
    start = time.monotonic()
    recent: list[float] = []
    step = 0
    while step < config.steps and not (config.max_seconds and time.monotonic() - start > config.max_seconds):
        output = model(sample_batch(rng))
        optimizer.zero_grad()
        output.loss.backward()
        optimizer.step()
        step += 1
        recent = [*recent[-(config.log_every - 1) :], float(output.loss.detach())]
        if step % config.log_every == 0:
            logger.info("step %d loss %.4f", step, np.mean(recent))
    model.eval()
    return FitSummary(step, time.monotonic() - start, float(np.mean(recent)) if recent else float("nan"))


def random_windows(
    signals: list[np.ndarray], length: int, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` windows of ``length`` steps along axis 0, each from a random signal at a random offset
    (signals shorter than ``length`` are tiled)."""
    windows = []
    for index in rng.integers(len(signals), size=count):
        signal = signals[index]
        if len(signal) < length:
            signal = np.concatenate([signal] * (length // len(signal) + 1))
        offset = rng.integers(len(signal) - length + 1)
        windows.append(signal[offset : offset + length])
    return np.stack(windows)


def train_motion_tokenizer(
    dataset: str | Path, out: str | Path, config: MotionTokenizerTraining | None = None
) -> MotionTrainingResult:
    """Train a motion tokenizer on the train split of a mumo dataset, save it in ``out`` (with the dataset's
    feature statistics) and measure MPJPE and code usage on the test split.

    Raises:
        DataError: the dataset lacks motion statistics or motion clips in the train or test split.
        ConfigError: ``shared_codebooks`` does not name a music tokenizer.
    """
    config = config or MotionTokenizerTraining()
    root = Path(dataset)
    stats = FeatureStats.load(root / MOTION_STATS_FILE)
    train = [
        stats.normalize(joints_to_features(joints, MOTION_FPS)) for joints in _joint_clips(root, "train")
    ]
    torch.manual_seed(config.optimization.seed)
    model_config, codebooks = config.model, None
    if config.shared_codebooks:
        codebooks = _music_codebooks(config.shared_codebooks)
        size, entries, dim = codebooks.shape
        shared = RVQConfig(num_codebooks=size, codebook_size=entries, dim=dim, frozen=True)
        model_config = replace(model_config, quantizer=shared)
    tokenizer = MotionTokenizer.create(model_config, stats, codebooks)
    window = max(2, round(config.optimization.window_s * MOTION_FPS))
    batch = config.optimization.batch_size
    summary = fit(
        tokenizer.model,
        lambda rng: torch.from_numpy(random_windows(train, window, batch, rng)),
        config.optimization,
    )
    tokenizer.save(out)
    return MotionTrainingResult(
        Path(out), summary, evaluate_reconstruction(tokenizer, _joint_clips(root, "test"))
    )


def train_music_tokenizer(
    dataset: str | Path, out: str | Path, config: MusicTokenizerTraining | None = None
) -> MusicTrainingResult:
    """Train the audio codec on the train split's music, save it in ``out`` and measure the beat F-measure
    of decoded vs original test-split music and the code usage.

    Raises:
        DataError: the dataset has no music in the train or test split.
    """
    config = config or MusicTokenizerTraining()
    root = Path(dataset)
    sample_rate = config.model.sample_rate
    train = _music_clips(root, "train", sample_rate)
    torch.manual_seed(config.optimization.seed)
    tokenizer = MusicTokenizer.create(config.model)
    window = round(config.optimization.window_s * sample_rate)
    batch = config.optimization.batch_size
    summary = fit(
        tokenizer.codec,
        lambda rng: torch.from_numpy(random_windows(train, window, batch, rng))[:, None],
        config.optimization,
    )
    tokenizer.save(out)
    scores, codes = [], []
    for audio in _music_clips(root, "test", sample_rate):
        clip_codes = tokenizer.encode(torch.from_numpy(audio)[None, None])
        decoded = tokenizer.decode(clip_codes, len(audio))[0, 0].numpy()
        reference = detect_beats(audio, sample_rate)
        scores.append(beat_f_measure(reference, detect_beats(decoded, sample_rate)))
        codes.append(clip_codes[0])
    used = torch.cat(codes, dim=-1)
    usage = [len(torch.unique(row)) / tokenizer.cardinality for row in used]
    return MusicTrainingResult(Path(out), summary, float(np.mean(scores)), usage)


def _music_codebooks(directory: str) -> torch.Tensor:
    """Codebooks ``[K, N, D]`` of the music tokenizer saved in ``directory``."""
    from mumo.tokenizers import load_tokenizer

    music = load_tokenizer(directory)
    if not hasattr(music, "codebooks"):
        raise ConfigError(
            f"shared_codebooks: {directory} holds a {type(music).__name__}, not a music tokenizer"
        )
    return music.codebooks()


def _joint_clips(root: Path, split: str) -> list[np.ndarray]:
    clips = [np.load(root / r.joints_path) for r in read_index(root, split) if r.joints_path is not None]
    if not clips:
        raise DataError(f"{root} has no motion clips in the {split!r} split")
    return clips


def _music_clips(root: Path, split: str, sample_rate: int) -> list[np.ndarray]:
    clips = [
        load_audio(root / r.music_path, sample_rate).mean(axis=0)
        for r in read_index(root, split)
        if r.music_path is not None
    ]
    if not clips:
        raise DataError(f"{root} has no music in the {split!r} split")
    return clips
