"""The typed schema of a training run (one stage of the staged recipe), loaded from ``configs/``."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar, Literal

import torch

from mumo import checks
from mumo.data.data_config import TokenDataConfig
from mumo.lm.config import LMConfig
from mumo.lm.musicgen_import import TRAINING_SETTINGS
from mumo.lm.tasks import Task
from mumo.train.evaluation_config import EvaluationSection


@dataclass(frozen=True)
class ModelSection(LMConfig):
    """Shape and attention layout of the LM (the fields of :class:`mumo.lm.config.LMConfig`), or a MusicGen
    directory to import (built by :func:`mumo.train.build.build_model`).

    ``layout`` (``causal`` or ``given_full``, see :class:`mumo.lm.tasks.Layout`) becomes the built model's
    ``config.layout``, which it is saved, evaluated, bundled and sampled with. A stage started with
    ``init_from`` takes only the weights of the checkpoint, so its own ``layout`` applies even where the
    earlier stage trained with another; ``resume`` refuses a layout other than the one the run was built
    with (see :func:`mumo.train.run.train`)."""

    musicgen_directory: str | None = None
    """When set, the LM starts as this local MusicGen (transformers ``save_pretrained`` layout, T5 tokenizer
    files beside it): its decoder, its frozen T5 and its ``enc_to_dec_proj``; motion parts are copies of the
    music parts. Every shape and text-encoder field then comes from the MusicGen config, so setting one here
    is an error; only ``dropout``, ``layout`` and the stream contexts (``music_context_layers``,
    ``motion_context_layers``, ``context_lookahead``: mumo's own additions) may be set beside it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.musicgen_directory:
            defaults = LMConfig()
            fixed = [
                f.name
                for f in fields(LMConfig)
                if f.name not in TRAINING_SETTINGS and getattr(self, f.name) != getattr(defaults, f.name)
            ]
            if fixed:
                raise ValueError(
                    f"model.{fixed[0]} is taken from model.musicgen_directory (its config and its own T5); "
                    f"remove {', '.join(f'model.{name}' for name in fixed)}"
                )
        elif self.text_encoder == "t5" and not self.t5_directory:
            raise ValueError(
                "model.text_encoder 't5' needs model.t5_directory (a local T5 or MusicGen directory)"
            )

    def lm_config(self) -> LMConfig:
        """The :class:`LMConfig` part of this section."""
        return LMConfig(**{f.name: getattr(self, f.name) for f in fields(LMConfig)})


@dataclass
class StageSection:
    """What this stage trains and how the loss is made.

    Attributes:
        tasks: task name → probability of drawing it for a batch (normalised).
        freeze: freezing policy (``none``, ``motion_only``, ``music_only``, ``all_but_text_encoder``).
        music_weight, motion_weight: weights of the per-modality cross-entropies.
        music_description_dropout, motion_description_dropout: per-sample probability of the null description
            (classifier-free guidance).
        motion_input_noise: in training, the share of motion input codes replaced by random codes (the
            targets stay the true codes), so that the model cannot predict the dance from its own history
            alone and has to read the music (see docs/quality.md); 0 = off.
        music_input_noise: the same for the music input codes, in the tasks that generate music (``joint``,
            ``motion2music``, ``music``; never where the music is given), so that music made for a dance has
            to read the dance; 0 = off.
    """

    MOVED_KEYS: ClassVar[dict[str, str]] = {
        "full_music_context": "model.layout (given_full where it was true, causal where it was false)"
    }
    """Keys this section no longer has, and where their setting is now (named by the config loader)."""

    tasks: dict[str, float] = field(default_factory=lambda: {"joint": 1.0})
    freeze: Literal["none", "motion_only", "music_only", "all_but_text_encoder"] = "none"
    music_weight: float = 1.0
    motion_weight: float = 1.0
    music_description_dropout: float = 0.3
    motion_description_dropout: float = 0.3
    motion_input_noise: float = 0.0
    music_input_noise: float = 0.0

    def __post_init__(self) -> None:
        for name in ("motion_input_noise", "music_input_noise"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"stage.{name} must be in [0, 1), got {getattr(self, name)}")
        valid = [t.value for t in Task]
        for name, probability in self.tasks.items():
            if name not in valid:
                raise ValueError(f"unknown task {name!r} in stage.tasks; choose from {valid}")
            if probability < 0:
                raise ValueError(f"task probability of {name!r} is negative")
        if sum(self.tasks.values()) <= 0:
            raise ValueError("stage.tasks needs at least one task with a positive probability")


@dataclass
class OptimSection:
    """AdamW and its schedule: linear warm-up for ``warmup_steps``, then ``decay`` to 0 at ``total_steps``.

    Steps are optimiser steps (one per ``trainer.accumulate_grad_batches`` batches). ``total_steps: null``
    makes the schedule as long as the run (``max_epochs`` x optimiser steps per epoch); a ``total_steps``
    shorter than the run is refused when training starts, so the rate never sits at 0 while epochs train.
    """

    learning_rate: float = 5e-5
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    eps: float = 1e-8
    warmup_steps: int = 1000
    total_steps: int | None = None
    decay: Literal["linear", "cosine", "constant"] = "linear"
    grad_clip: float = 1.0

    def __post_init__(self) -> None:
        checks.number(self.learning_rate, "learning_rate", above=0.0, maximum=1.0)
        checks.number(self.weight_decay, "weight_decay", minimum=0.0)
        for beta in self.betas:
            checks.number(beta, "betas", minimum=0.0, maximum=1.0)
        checks.number(self.eps, "eps", above=0.0)
        checks.integer(self.warmup_steps, "warmup_steps", minimum=0)
        if self.total_steps is not None:
            checks.integer(self.total_steps, "total_steps", minimum=1)
        checks.number(self.grad_clip, "grad_clip (0 = off)", minimum=0.0)


@dataclass
class TrainerSection:
    """Lightning trainer settings."""

    max_epochs: int = 30
    accelerator: str = "auto"
    devices: int = 1
    """Processes (GPUs) per node."""
    num_nodes: int = 1
    accumulate_grad_batches: int = 1
    """Batches whose gradients are summed before one optimiser step. The global batch of one step is
    ``data.batch_size x devices x num_nodes x accumulate_grad_batches`` (see :func:`global_batch`)."""
    strategy: Literal["auto", "ddp", "ddp_spawn", "fsdp"] = "auto"
    """``ddp`` for several GPUs (or CPU processes, gloo), ``fsdp`` to shard large models, ``ddp_spawn`` where
    the launching script cannot be re-run (notebooks, tests)."""
    precision: str = "auto"
    """Lightning precision (``32-true``, ``bf16-mixed``, ``16-mixed``, ...); ``auto`` = mixed precision on a
    GPU (bf16 where supported), full precision otherwise."""
    checkpoint_every_n_epochs: int = 1
    checkpoint_epochs: list[int] = field(default_factory=list)
    """Further epochs (counted from 1) to checkpoint, e.g. the ones a later stage starts from."""
    log_every_n_steps: int = 10
    limit_train_batches: int | None = None
    limit_val_batches: int | None = None
    progress_bar: bool = True

    def __post_init__(self) -> None:
        checks.integer(self.max_epochs, "max_epochs", minimum=1)
        for name in ("devices", "num_nodes", "accumulate_grad_batches", "log_every_n_steps"):
            checks.integer(getattr(self, name), name, minimum=1)
        checks.integer(self.checkpoint_every_n_epochs, "checkpoint_every_n_epochs (0 = off)", minimum=0)
        for name in ("limit_train_batches", "limit_val_batches"):
            if getattr(self, name) is not None:
                checks.integer(getattr(self, name), name, minimum=1)

    def effective_precision(self) -> str:
        """The Lightning precision setting this section asks for on this machine."""
        if self.precision != "auto":
            return self.precision
        on_gpu = self.accelerator in ("gpu", "cuda") or (
            self.accelerator == "auto" and torch.cuda.is_available()
        )
        if not on_gpu:
            return "32-true"
        return "bf16-mixed" if torch.cuda.is_bf16_supported() else "16-mixed"


def global_batch(config: TrainConfig) -> int:
    """Clips per optimiser step: ``data.batch_size x trainer.devices x trainer.num_nodes x
    trainer.accumulate_grad_batches``."""
    trainer = config.trainer
    return config.data.batch_size * trainer.devices * trainer.num_nodes * trainer.accumulate_grad_batches


@dataclass
class TrainConfig:
    """One stage of training: a run directory, the model, the data, the stage recipe, the optimiser.

    ``init_from`` loads weights only (a checkpoint file, or ``RUN_DIR/epoch=N``) for a new stage with a fresh
    optimiser; ``resume`` continues a run exactly from a checkpoint (weights, optimiser, schedule, epoch).
    """

    run_dir: str
    data: TokenDataConfig
    model: ModelSection = field(default_factory=ModelSection)
    stage: StageSection = field(default_factory=StageSection)
    optim: OptimSection = field(default_factory=OptimSection)
    trainer: TrainerSection = field(default_factory=TrainerSection)
    evaluation: EvaluationSection = field(default_factory=EvaluationSection)
    seed: int = 0
    init_from: str | None = None
    resume: str | None = None

    def __post_init__(self) -> None:
        section, tasks = self.evaluation, self.stage.tasks
        if "music" in section.suites and section.every_n_epochs and not tasks.get(section.music_task):
            trained = sorted(name for name, p in tasks.items() if p > 0)
            raise ValueError(
                f"evaluation.music_task {section.music_task!r} is not a task this stage trains "
                f"({trained}); choose one it trains or drop the music suite"
            )
        if "music" in section.suites and section.music_from_dance and not tasks.get("motion2music"):
            raise ValueError("evaluation.music_from_dance needs a stage that trains motion2music")
        if section.stream_guidance and section.every_n_epochs:
            single = {"dance": "motion", "music": "music"}
            missing = [single[suite] for suite in section.suites if not tasks.get(single[suite])]
            if missing:
                raise ValueError(
                    f"evaluation.stream_guidance needs the stage to train the single-stream task(s) "
                    f"{missing} (the unconditional branch); add them to stage.tasks or turn it off"
                )
