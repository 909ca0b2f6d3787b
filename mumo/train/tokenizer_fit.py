"""Running a tokenizer training with Lightning: step and time limits, checkpoints, logs, resume.

A training writes into its output directory ``OUT``::

    OUT/checkpoints/step=N.ckpt        every ``checkpoint_every`` steps (atomic writes)
    OUT/checkpoints/last.ckpt          when training stops (step or time limit)
    OUT/logs/csv/from_step=S/          metrics.csv of the run started (or resumed) at step S
    OUT/logs/tensorboard/from_step=S/  the same for TensorBoard
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

from mumo.errors import CheckpointError, ConfigError
from mumo.tokenizers.windows import WindowBatches
from mumo.train.checkpoints import CHECKPOINT_DIR, AtomicCheckpointIO
from mumo.train.tokenizer_module import StepProgressBar, TokenizerModule
from mumo.weights import load_state_strict

logger = logging.getLogger(__name__)

LOG_DIR = "logs"
LAST_CHECKPOINT = "last.ckpt"


@dataclass
class OptimizationConfig:
    """The training run.

    Attributes:
        steps: optimiser steps (training also stops after ``max_seconds`` of wall time, if set).
        batch_size: windows per step.
        window_s: window length, seconds.
        learning_rate: peak AdamW learning rate (betas 0.9, 0.99, no weight decay).
        warmup_steps: steps of linear learning-rate warm-up (0: none).
        final_lr_factor: the learning rate decays (cosine) to this fraction of its peak at ``steps``; 1 keeps
            it constant.
        seed: seed of the initialisation, the window sampling and the codebook restarts.
        log_every: steps between logged training losses.
        max_seconds: wall-time budget of the training in seconds, counted across resumes; ``0``: no limit.
        checkpoint_every: steps between checkpoints in ``OUT/checkpoints`` (0: only the last one).
        validate_every: steps between measurements on the validation split (0: only at the end).
        measure_clips: clips of the validation and of the test split measured, the first of each in index
            order (0: all of them).
        resume: a checkpoint (``OUT/checkpoints/*.ckpt``) to continue from, with the same config; empty: start
            fresh.
        accelerator: Lightning accelerator (``auto``, ``cpu``, ``gpu``, ...).
        num_threads: torch CPU threads while training (restored afterwards); 0 keeps torch's setting. On a
            CPU shared with other jobs, 1 thread can be several times faster than one per core.
    """

    steps: int = 2000
    batch_size: int = 16
    window_s: float = 2.0
    learning_rate: float = 2e-4
    warmup_steps: int = 0
    final_lr_factor: float = 1.0
    seed: int = 0
    log_every: int = 100
    max_seconds: float = 0.0
    checkpoint_every: int = 500
    validate_every: int = 0
    measure_clips: int = 0
    resume: str = ""
    accelerator: str = "auto"
    num_threads: int = 0

    def __post_init__(self) -> None:
        if min(self.steps, self.batch_size, self.log_every) < 1 or self.window_s <= 0:
            raise ConfigError(
                f"optimization needs positive steps, batch_size, log_every and window_s: {self}"
            )
        if (
            min(
                self.warmup_steps,
                self.checkpoint_every,
                self.validate_every,
                self.measure_clips,
                self.max_seconds,
                self.num_threads,
            )
            < 0
        ):
            raise ConfigError(f"optimization step counts and max_seconds must not be negative: {self}")


@dataclass(frozen=True)
class FitSummary:
    """How a training went: the optimiser ``steps`` reached (counting those before a resume), the wall
    ``seconds`` of this run, and the last logged training loss."""

    steps: int
    seconds: float
    final_loss: float


def fit(
    module: TokenizerModule,
    batches: WindowBatches,
    config: OptimizationConfig,
    out: str | Path,
    callbacks: list[Callback] | None = None,
) -> FitSummary:
    """Train ``module`` on ``batches`` up to ``config.steps`` steps (or ``config.max_seconds``), writing
    checkpoints and logs under ``out``; continue from ``config.resume`` when set. ``batches.start`` is set
    to the step training starts from. Leaves the model in eval mode.

    Raises:
        CheckpointError: ``config.resume`` is missing, unreadable, or holds weights of another model, or a
            fresh start would overwrite the checkpoints of an earlier run in ``out``; raised before anything
            is trained or written.
    """
    out = Path(out)
    resume = Path(config.resume) if config.resume else None
    checkpoints = out / CHECKPOINT_DIR
    if resume is None and any(checkpoints.glob("*.ckpt")):
        raise CheckpointError(
            f"{out} already holds a tokenizer training; continue it with --resume "
            f"{checkpoints / LAST_CHECKPOINT}, or choose another --out"
        )
    batches.start = 0 if resume is None else _resume_step(resume, module)
    segment = f"from_step={batches.start}"
    periodic = (
        [
            ModelCheckpoint(
                dirpath=checkpoints,
                filename="step={step}",
                auto_insert_metric_name=False,
                every_n_train_steps=config.checkpoint_every,
                save_top_k=-1,
                save_on_train_epoch_end=False,
            )
        ]
        if config.checkpoint_every
        else []
    )
    trainer = L.Trainer(
        default_root_dir=out,
        max_steps=config.steps,
        max_epochs=-1,
        max_time=timedelta(seconds=config.max_seconds) if config.max_seconds else None,
        accelerator=config.accelerator,
        devices=1,
        logger=[
            CSVLogger(out / LOG_DIR, name="csv", version=segment),
            TensorBoardLogger(out / LOG_DIR, name="tensorboard", version=segment),
        ],
        log_every_n_steps=config.log_every,
        callbacks=[*periodic, StepProgressBar(), *(callbacks or [])],
        enable_checkpointing=bool(periodic),
        plugins=[AtomicCheckpointIO()],
    )
    started = time.monotonic()
    with _torch_threads(config.num_threads):
        trainer.fit(module, train_dataloaders=batches, ckpt_path=str(resume) if resume else None)
    trainer.save_checkpoint(checkpoints / LAST_CHECKPOINT)
    module.eval()
    loss = trainer.callback_metrics.get("train/loss")
    return FitSummary(
        trainer.global_step, time.monotonic() - started, float(loss) if loss is not None else float("nan")
    )


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """Run the body with ``count`` torch CPU threads (0: unchanged), then restore the previous number."""
    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _resume_step(path: Path, module: TokenizerModule) -> int:
    """The optimiser step saved in checkpoint ``path``, after checking that its weights fit ``module``."""
    if not path.is_file():
        available = sorted(str(p) for p in path.parent.glob("*.ckpt")) if path.parent.is_dir() else []
        raise CheckpointError(
            f"resume checkpoint {path} not found; give a .ckpt file of a tokenizer run's {CHECKPOINT_DIR}/ "
            f"folder (there: {available or 'none'})"
        )
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=False)
        state, step = checkpoint["state_dict"], int(checkpoint["global_step"])
    except (OSError, RuntimeError, EOFError, KeyError, TypeError, pickle.UnpicklingError) as exc:
        raise CheckpointError(f"{path} is not a readable tokenizer training checkpoint ({exc})") from None
    load_state_strict(module, state, str(path))
    return step
