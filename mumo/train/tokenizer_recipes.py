"""Training the motion tokenizer and the audio codec on a mumo dataset (Lightning, on random windows of the
train split; see :mod:`mumo.train.tokenizer_fit` for checkpoints, logs and resume), measuring them on the
validation split during training and on the test split at the end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import lightning as L
import numpy as np
import torch
from torch import nn

from mumo.audio import beat_f_measure, detect_beats
from mumo.audio import load as load_audio
from mumo.data.clips import MOTION_FPS, MOTION_STATS_DIR, read_index
from mumo.errors import ConfigError, DataError
from mumo.motion import FeatureStats, joints_to_features
from mumo.tokenizers import load_tokenizer
from mumo.tokenizers.audio_codec import AudioCodecConfig
from mumo.tokenizers.motion_metrics import MotionReconstruction, evaluate_reconstruction
from mumo.tokenizers.motion_tokenizer import MotionTokenizer
from mumo.tokenizers.motion_vqvae import MotionVQVAEConfig
from mumo.tokenizers.music_tokenizer import MusicTokenizer
from mumo.tokenizers.rvq import RVQConfig
from mumo.tokenizers.windows import WindowBatches
from mumo.train.tokenizer_fit import FitSummary, OptimizationConfig, fit
from mumo.train.tokenizer_module import Measurement, PeriodicMeasurement, TokenizerModule

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Measurement)


@dataclass
class MotionTokenizerTraining:
    """Schema of ``configs/tokenizers/motion_vqvae.yaml``.

    Attributes:
        model: the VQ-VAE.
        optimization: the training run.
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
class MusicReconstruction:
    """Quality of a music tokenizer on a set of clips.

    Attributes:
        beat_f_measure: mean beat F-measure (±70 ms) of beats detected in decoded vs original audio.
        usage: ``[K]`` fraction of each codebook's entries used by the clips' codes.
    """

    beat_f_measure: float
    usage: list[float]

    def as_metrics(self) -> dict[str, float]:
        """The numbers by name, for the training loggers."""
        return {"beat_f_measure": self.beat_f_measure, "code_usage": float(np.mean(self.usage))}


@dataclass(frozen=True)
class MotionTrainingResult:
    """A trained motion tokenizer's directory, its training summary and its reconstruction of the
    validation and test splits (``validation`` is ``None`` for a dataset without validation clips)."""

    directory: Path
    fit: FitSummary
    validation: MotionReconstruction | None
    test: MotionReconstruction


@dataclass(frozen=True)
class MusicTrainingResult:
    """A trained music tokenizer's directory, its training summary and its validation and test quality
    (``validation`` is ``None`` for a dataset without validation music)."""

    directory: Path
    fit: FitSummary
    validation: MusicReconstruction | None
    test: MusicReconstruction


def train_motion_tokenizer(
    dataset: str | Path, out: str | Path, config: MotionTokenizerTraining | None = None
) -> MotionTrainingResult:
    """Train a motion tokenizer on the train split of a mumo dataset, save it in ``out`` (with the dataset's
    feature statistics; checkpoints and logs go to ``out/checkpoints`` and ``out/logs``) and measure MPJPE,
    acceleration error and code usage on the validation and test splits.

    Raises:
        DataError: the dataset lacks motion statistics or motion clips in the train or test split.
        ConfigError: ``shared_codebooks`` does not name a music tokenizer.
        CheckpointError: ``optimization.resume`` is missing or does not fit the model.
    """
    config = config or MotionTokenizerTraining()
    optimization = config.optimization
    root = Path(dataset)
    stats = FeatureStats.load(root / MOTION_STATS_DIR)
    train = [
        stats.normalize(joints_to_features(joints, MOTION_FPS, stats.feature_version))
        for joints in _joint_clips(root, "train")
    ]
    validation = _joint_clips(root, "val", optimization.measure_clips, required=False)
    L.seed_everything(optimization.seed, verbose=False)
    model_config, codebooks = config.model, None
    if config.shared_codebooks:
        codebooks = _music_codebooks(config.shared_codebooks)
        size, entries, dim = codebooks.shape
        shared = RVQConfig(num_codebooks=size, codebook_size=entries, dim=dim, frozen=True)
        model_config = replace(model_config, quantizer=shared)
    tokenizer = MotionTokenizer.create(model_config, stats, codebooks)
    window = max(2, round(optimization.window_s * MOTION_FPS))
    batches = WindowBatches(train, window, optimization.batch_size, optimization.seed)
    summary, measured = _fit_and_measure(
        tokenizer.model,
        batches,
        optimization,
        out,
        (lambda: evaluate_reconstruction(tokenizer, validation)) if validation else None,
    )
    tokenizer.save(out)
    test = evaluate_reconstruction(tokenizer, _joint_clips(root, "test", optimization.measure_clips))
    return MotionTrainingResult(Path(out), summary, measured, test)


def train_music_tokenizer(
    dataset: str | Path, out: str | Path, config: MusicTokenizerTraining | None = None
) -> MusicTrainingResult:
    """Train the audio codec on the train split's music, save it in ``out`` (checkpoints and logs go to
    ``out/checkpoints`` and ``out/logs``) and measure the beat F-measure of decoded vs original music and
    the code usage on the validation and test splits.

    Raises:
        DataError: the dataset has no music in the train or test split.
        CheckpointError: ``optimization.resume`` is missing or does not fit the model.
    """
    config = config or MusicTokenizerTraining()
    optimization = config.optimization
    root = Path(dataset)
    sample_rate = config.model.sample_rate
    train = _music_clips(root, "train", sample_rate)
    validation = _music_clips(root, "val", sample_rate, optimization.measure_clips, required=False)
    L.seed_everything(optimization.seed, verbose=False)
    tokenizer = MusicTokenizer.create(config.model)
    window = round(optimization.window_s * sample_rate)
    batches = WindowBatches(
        train,
        window,
        optimization.batch_size,
        optimization.seed,
        to_batch=lambda w: torch.from_numpy(w)[:, None],
    )
    summary, measured = _fit_and_measure(
        tokenizer.codec,
        batches,
        optimization,
        out,
        (lambda: measure_music(tokenizer, validation)) if validation else None,
    )
    tokenizer.save(out)
    test = measure_music(tokenizer, _music_clips(root, "test", sample_rate, optimization.measure_clips))
    return MusicTrainingResult(Path(out), summary, measured, test)


def measure_music(tokenizer: MusicTokenizer, clips: list[np.ndarray]) -> MusicReconstruction:
    """Beat F-measure of decoded vs original mono ``clips [N]`` (at the tokenizer's sample rate) and code
    usage over all of them."""
    sample_rate = tokenizer.sample_rate
    scores, codes = [], []
    with torch.no_grad():
        for audio in clips:
            clip_codes = tokenizer.encode(torch.from_numpy(audio)[None, None])
            decoded = tokenizer.decode(clip_codes, len(audio))[0, 0].cpu().numpy()
            reference = detect_beats(audio, sample_rate)
            scores.append(beat_f_measure(reference, detect_beats(decoded, sample_rate)))
            codes.append(clip_codes[0].cpu())
    used = torch.cat(codes, dim=-1)
    usage = [len(torch.unique(row)) / tokenizer.cardinality for row in used]
    return MusicReconstruction(float(np.mean(scores)), usage)


def _fit_and_measure(
    model: nn.Module,
    batches: WindowBatches,
    optimization: OptimizationConfig,
    out: str | Path,
    measure: Callable[[], M] | None,
) -> tuple[FitSummary, M | None]:
    """Train ``model`` with :func:`fit`, measuring it with ``measure()`` every ``validate_every`` steps and at
    the end; returns the summary and the final measurement (``None`` without ``measure``: no validation
    clips, which is logged)."""
    module = TokenizerModule(
        model,
        optimization.learning_rate,
        optimization.seed,
        warmup_steps=optimization.warmup_steps,
        total_steps=optimization.steps,
        final_lr_factor=optimization.final_lr_factor,
    )
    if measure is None:
        logger.warning("the dataset has no validation clips: training without validation measurements")
        return fit(module, batches, optimization, out, []), None
    validation: PeriodicMeasurement[M] = PeriodicMeasurement(measure, optimization.validate_every)
    summary = fit(module, batches, optimization, out, [validation])
    return summary, validation.latest if validation.latest is not None else measure()


def _music_codebooks(directory: str) -> torch.Tensor:
    """Codebooks ``[K, N, D]`` of the music tokenizer saved in ``directory``."""

    music = load_tokenizer(directory)
    if not hasattr(music, "codebooks"):
        raise ConfigError(
            f"shared_codebooks: {directory} holds a {type(music).__name__}, not a music tokenizer"
        )
    return music.codebooks()


def _joint_clips(root: Path, split: str, limit: int = 0, required: bool = True) -> list[np.ndarray]:
    """Joints of the split's clips, the first ``limit`` (0: all)."""
    records = [r for r in read_index(root, split) if r.joints_path is not None][: limit or None]
    clips = [np.load(root / str(r.joints_path)) for r in records]
    if not clips and required:
        raise DataError(f"{root} has no motion clips in the {split!r} split")
    return clips


def _music_clips(
    root: Path, split: str, sample_rate: int, limit: int = 0, required: bool = True
) -> list[np.ndarray]:
    """Mono music ``[N]`` of the split's clips at ``sample_rate``, the first ``limit`` (0: all)."""
    records = [r for r in read_index(root, split) if r.music_path is not None][: limit or None]
    clips = [load_audio(root / str(r.music_path), sample_rate).mean(axis=0) for r in records]
    if not clips and required:
        raise DataError(f"{root} has no music in the {split!r} split")
    return clips
