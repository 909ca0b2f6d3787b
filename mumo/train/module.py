"""The LightningModule of the joint LM: task sampling, per-modality losses, optimiser and schedule.

The model itself is :class:`mumo.lm.MusicMotionLM` (no Lightning inside); this module only owns the steps.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch.nn import functional as F

from mumo.errors import ConfigError
from mumo.lm import Task, apply_freezing, drop_descriptions, parameter_groups, task_spec
from mumo.train.build import build_model
from mumo.train.config import TrainConfig, global_batch
from mumo.train.schedule import lr_factor

log = logging.getLogger(__name__)
OPTIMIZER_REPORT = "optimizer.json"
IGNORE = -100
"""Target id of frames that are not scored."""


def masked_cross_entropy(logits: torch.Tensor, codes: torch.Tensor, num_frames: torch.Tensor) -> torch.Tensor:
    """Mean over codebooks of the cross-entropy of ``logits`` ``[B, K, T, card]`` against ``codes``
    ``[B, K, T]``, counting only the first ``num_frames[b]`` frames of each item (padding excluded).

    The logits are aligned with the codes (the delay pattern reverted, see :mod:`mumo.lm.delay_pattern`), so
    the pattern's special-token positions are never targets; padded frames may hold any id."""
    frames = torch.arange(codes.shape[-1], device=codes.device)
    valid = (frames[None, :] < num_frames[:, None])[:, None, :].expand_as(codes)  # [B, K, T]
    targets = codes.masked_fill(~valid, IGNORE)
    per_token = F.cross_entropy(
        logits.flatten(0, 2).float(), targets.flatten(), ignore_index=IGNORE, reduction="none"
    ).view_as(codes)
    weights = valid.float()
    per_codebook = (per_token * weights).sum(dim=(0, 2)) / weights.sum(dim=(0, 2)).clamp(min=1.0)
    return per_codebook.mean()


def corrupt_codes(
    codes: torch.Tensor, share: float, cardinality: int, generator: torch.Generator
) -> torch.Tensor:
    """``codes`` ``[B, K, T]`` with each code replaced, with probability ``share``, by a uniformly random code
    in ``[0, cardinality)`` (drawn on the CPU with ``generator``, so every process draws the same)."""
    replace = torch.rand(codes.shape, generator=generator) < share
    random = torch.randint(0, cardinality, codes.shape, generator=generator)
    return torch.where(replace.to(codes.device), random.to(codes.device), codes)


class JointLMModule(L.LightningModule):
    """Trains a :class:`MusicMotionLM` on one stage of the recipe in ``config``."""

    def __init__(self, config: TrainConfig) -> None:
        super().__init__()
        self.config = config
        self.model = build_model(config.model)
        self.freeze_summary = apply_freezing(self.model, config.stage.freeze)
        names = list(config.stage.tasks)
        weights = torch.tensor([config.stage.tasks[n] for n in names], dtype=torch.float64)
        self.tasks = [Task(n) for n, w in zip(names, weights.tolist(), strict=True) if w > 0]
        self.task_probabilities = weights[weights > 0] / weights[weights > 0].sum()

    def _generator(self, salt: int) -> torch.Generator:
        """A generator determined by the seed, the optimiser step and ``salt``: identical on every process
        and after a resume."""
        return torch.Generator().manual_seed(self.config.seed * 1_000_003 + self.global_step * 101 + salt)

    def sample_task(self) -> Task:
        """The task of the current batch, drawn with the stage probabilities."""
        index = torch.multinomial(self.task_probabilities, 1, generator=self._generator(1)).item()
        return self.tasks[int(index)]

    def task_loss(self, batch: dict[str, Any], task: Task, dropout: bool) -> dict[str, torch.Tensor]:
        """``loss`` (weighted sum) and the per-modality cross-entropies of ``task`` on ``batch``."""
        stage = self.config.stage
        spec = task_spec(task, self.model.config.layout)
        music_text, motion_text = list(batch["music_text"]), list(batch["motion_text"])
        if dropout:
            music_text = drop_descriptions(music_text, stage.music_description_dropout, self._generator(2))
            motion_text = drop_descriptions(motion_text, stage.motion_description_dropout, self._generator(3))
        if not spec.music_description:
            music_text = [""] * len(music_text)
        if not spec.motion_description:
            motion_text = [""] * len(motion_text)
        conditions = self.model.encode_descriptions(music_text, motion_text)
        music_inputs, motion_inputs = batch["music_codes"], batch["motion_codes"]
        cardinality = self.model.config.cardinality
        if dropout and stage.motion_input_noise > 0:
            motion_inputs = corrupt_codes(
                motion_inputs, stage.motion_input_noise, cardinality, self._generator(4)
            )
        if dropout and stage.music_input_noise > 0 and spec.generates_music:
            music_inputs = corrupt_codes(
                music_inputs, stage.music_input_noise, cardinality, self._generator(5)
            )
        logits = self.model(
            task,
            conditions,
            music_inputs if spec.music_stream else None,
            motion_inputs if spec.motion_stream else None,
        )
        num_frames = batch["num_frames"]
        out: dict[str, torch.Tensor] = {}
        loss = torch.zeros((), device=num_frames.device)
        if spec.generates_music:
            out["music_loss"] = masked_cross_entropy(logits.music, batch["music_codes"], num_frames)
            loss = loss + stage.music_weight * out["music_loss"]
        if spec.generates_motion:
            out["motion_loss"] = masked_cross_entropy(logits.motion, batch["motion_codes"], num_frames)
            loss = loss + stage.motion_weight * out["motion_loss"]
        out["loss"] = loss
        return out

    def training_step(self, batch: dict[str, Any], batch_index: int) -> torch.Tensor:
        task = self.sample_task()
        losses = self.task_loss(batch, task, dropout=True)
        size = len(batch["clip_id"])
        self.log("train/loss", losses["loss"], prog_bar=True, batch_size=size)
        for name, value in losses.items():
            if name != "loss":
                self.log(f"train/{task.value}_{name}", value, batch_size=size)
        return losses["loss"]

    def validation_step(self, batch: dict[str, Any], batch_index: int) -> None:
        size = len(batch["clip_id"])
        total = 0.0
        for task, probability in zip(self.tasks, self.task_probabilities.tolist(), strict=True):
            losses = self.task_loss(batch, task, dropout=False)
            for name, value in losses.items():
                self.log(f"val/{task.value}_{name}", value, batch_size=size, sync_dist=True)
            total = total + probability * losses["loss"]
        self.log("val/loss", total, prog_bar=True, batch_size=size, sync_dist=True)

    def schedule_steps(self) -> int:
        """Optimiser steps the learning-rate schedule spans: ``optim.total_steps``, or the run's own length
        (``max_epochs`` x optimiser steps per epoch, as the attached trainer counts them) when it is unset.

        Raises:
            ConfigError: ``total_steps`` shorter than the run (the rate would sit at 0 for the last epochs),
                or unset for a run without an end.
        """
        optim = self.config.optim
        run_steps = self.trainer.estimated_stepping_batches
        if optim.total_steps is None:
            if not math.isfinite(run_steps):
                raise ConfigError("optim.total_steps is needed when trainer.max_epochs is unlimited")
            return int(run_steps)
        if optim.decay != "constant" and optim.total_steps < run_steps:
            raise ConfigError(
                f"optim.total_steps {optim.total_steps} is shorter than the run ({int(run_steps)} optimiser "
                "steps: max_epochs x steps per epoch), so the learning rate would sit at 0 while epochs "
                "still train; raise it or set it to null to follow the run"
            )
        return optim.total_steps

    def configure_optimizers(self) -> dict[str, Any]:
        optim = self.config.optim
        groups = parameter_groups(self.model, optim.weight_decay)
        optimizer = torch.optim.AdamW(  # fused: 7 ms instead of 25 ms per CPU step of the demo's LM
            groups, lr=optim.learning_rate, betas=optim.betas, eps=optim.eps, fused=True
        )
        total = self.schedule_steps()
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: lr_factor(step, optim.warmup_steps, total, optim.decay)
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}

    def on_fit_start(self) -> None:
        """Print and save the effective optimiser settings per parameter group, the freezing summary, the
        global batch and the schedule's length."""
        optimizer = self.optimizers().optimizer  # type: ignore[union-attr]
        groups = [
            {
                "group": group.get("name", str(i)),
                "lr": group.get("initial_lr", group["lr"]),
                "weight_decay": group["weight_decay"],
                "betas": list(group["betas"]),
                "parameters": sum(p.numel() for p in group["params"]),
                "trainable": True,
            }
            for i, group in enumerate(optimizer.param_groups)
        ]
        groups.append(
            {"group": "frozen", "lr": 0.0, "weight_decay": 0.0, "parameters": self.freeze_summary.frozen,
             "trainable": False}
        )  # fmt: skip
        run = {"global_batch": global_batch(self.config), "schedule_steps": self.schedule_steps(),
               "run_steps": int(self.trainer.estimated_stepping_batches)}  # fmt: skip
        if self.trainer.is_global_zero:
            log.info("%s", self.freeze_summary)
            log.info(
                "global batch %(global_batch)d clips, schedule %(schedule_steps)d of %(run_steps)d steps", run
            )
            for group in groups:
                log.info("optimizer group %s", group)
            path = Path(self.config.run_dir) / OPTIMIZER_REPORT
            path.write_text(
                json.dumps({"freeze": str(self.freeze_summary), **run, "groups": groups}, indent=2) + "\n"
            )
