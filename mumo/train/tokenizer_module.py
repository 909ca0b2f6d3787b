"""The Lightning side of tokenizer training: the module that owns the training step and the optimiser, and
the callback that measures the tokenizer on held-out clips.

The trained model is an ordinary ``nn.Module`` (:class:`~mumo.tokenizers.motion_vqvae.MotionVQVAE` or
:class:`~mumo.tokenizers.audio_codec.AudioCodec`) whose ``forward(batch)`` returns an output dataclass with
a scalar ``loss``, further scalar loss terms and a ``quantizer`` (:class:`QuantizerOutput`). Its residual VQ
learns its codebooks inside that forward pass in training mode (EMA updates, k-means++ seeding, dead-code
restarts), drawing from torch's global generator; the module re-seeds that generator at every step from
``(seed, step)`` so that a resumed training repeats an uninterrupted one exactly.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback, RichProgressBar
from torch import nn

from mumo.tokenizers.rvq import QuantizerOutput

log = logging.getLogger(__name__)


class Measurement(Protocol):
    """A tokenizer quality measurement that flattens to named numbers for the loggers."""

    def as_metrics(self) -> dict[str, float]: ...


M = TypeVar("M", bound=Measurement)


def cosine_factor(step: int, warmup_steps: int, total_steps: int, final_factor: float) -> float:
    """Learning-rate factor at optimiser ``step``: linear warm-up over ``warmup_steps``, then a cosine decay
    from 1 to ``final_factor`` at ``total_steps`` (constant afterwards)."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return final_factor + (1.0 - final_factor) * 0.5 * (1.0 + math.cos(math.pi * progress))


class TokenizerModule(L.LightningModule):
    """Trains a tokenizer model on batches of its input (``[B, T, 263]`` features or ``[B, 1, N]`` audio).

    Args:
        model: the model to train (see the module docstring for what its forward returns).
        learning_rate: peak AdamW learning rate (betas 0.9, 0.99, no weight decay).
        seed: seed of the per-step generator state.
        warmup_steps: steps of linear learning-rate warm-up (0: none).
        total_steps: steps over which the learning rate decays (cosine) to ``final_lr_factor`` of its peak.
        final_lr_factor: learning-rate factor at ``total_steps``; 1 keeps the rate constant.
    """

    def __init__(
        self,
        model: nn.Module,
        learning_rate: float,
        seed: int,
        warmup_steps: int = 0,
        total_steps: int = 1,
        final_lr_factor: float = 1.0,
    ) -> None:
        super().__init__()
        self.model = model
        self.learning_rate = learning_rate
        self.seed = seed
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.final_lr_factor = final_lr_factor

    def on_train_batch_start(self, batch: torch.Tensor, batch_idx: int) -> None:
        torch.manual_seed(self.seed * 1_000_003 + self.global_step)

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> torch.Tensor:
        output = self.model(batch)
        size = len(batch)
        self.log("train/loss", output.loss, prog_bar=True, batch_size=size)
        for item in dataclasses.fields(output):
            value = getattr(output, item.name)
            if item.name != "loss" and isinstance(value, torch.Tensor) and value.dim() == 0:
                self.log(f"train/{item.name}", value, batch_size=size)
        quantizer: QuantizerOutput = output.quantizer
        self.log("train/commitment_loss", quantizer.commitment_loss, batch_size=size)
        self.log("train/code_usage", quantizer.usage.mean(), prog_bar=True, batch_size=size)
        self.log("train/perplexity", quantizer.perplexity.mean(), batch_size=size)
        return output.loss

    def configure_optimizers(self) -> dict[str, Any]:
        optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=self.learning_rate, betas=(0.9, 0.99), weight_decay=0.0
        )
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda step: cosine_factor(step, self.warmup_steps, self.total_steps, self.final_lr_factor),
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


class PeriodicMeasurement(Callback, Generic[M]):
    """Measures the tokenizer with ``measure()`` every ``every_n_steps`` optimiser steps (0: never) and when
    training ends, with the model in eval mode; logs the numbers under ``prefix/`` and keeps the last
    measurement in :attr:`latest`."""

    def __init__(self, measure: Callable[[], M], every_n_steps: int, prefix: str = "val") -> None:
        self.measure = measure
        self.every_n_steps = every_n_steps
        self.prefix = prefix
        self.latest: M | None = None
        self._measured_step = -1

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, *args: Any) -> None:
        if self.every_n_steps > 0 and trainer.global_step % self.every_n_steps == 0:
            self._run(trainer, pl_module)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self._measured_step != trainer.global_step:
            self._run(trainer, pl_module)

    def _run(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        pl_module.eval()
        with torch.no_grad():
            self.latest = self.measure()
        pl_module.train()
        self._measured_step = trainer.global_step
        metrics = {f"{self.prefix}/{name}": value for name, value in self.latest.as_metrics().items()}
        log.info("step %d: %s", trainer.global_step, ", ".join(f"{k} {v:.4g}" for k, v in metrics.items()))
        for logger in trainer.loggers:
            logger.log_metrics(metrics, step=trainer.global_step)
            logger.save()


class StepProgressBar(RichProgressBar):
    """Lightning's rich progress bar counting optimiser steps up to ``max_steps`` (a tokenizer training is
    one endless epoch, continued across resumes)."""

    @property
    def total_train_batches(self) -> int | float:
        return self.trainer.max_steps

    def _get_train_description(self, current_epoch: int) -> str:
        return "training steps"
