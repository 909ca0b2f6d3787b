"""Run one training stage: run directory, data, model, checkpoints, logs, ``init_from`` and ``resume``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

from mumo.config import save_config
from mumo.data.datamodule import TokenDataModule
from mumo.data.token_store import TokenStore
from mumo.errors import CheckpointError
from mumo.train.callbacks import PeriodicEvaluation
from mumo.train.checkpoints import (
    CHECKPOINT_DIR,
    AtomicCheckpointIO,
    epoch_checkpoint_name,
    resolve_checkpoint,
)
from mumo.train.config import TrainConfig
from mumo.train.evaluation import Decoders, TokenizerDecoders
from mumo.train.module import JointLMModule
from mumo.weights import load_state_strict

log = logging.getLogger(__name__)
RESOLVED_CONFIG = "config.yaml"


class EpochCheckpoint(Callback):
    """Saves ``RUN_DIR/checkpoints/epoch=N.ckpt`` after every ``every`` epochs (N = epochs completed)."""

    def __init__(self, run_dir: Path, every: int) -> None:
        self.directory = run_dir / CHECKPOINT_DIR
        self.every = every

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        if (trainer.current_epoch + 1) % self.every == 0:
            trainer.save_checkpoint(self.directory / epoch_checkpoint_name(trainer.current_epoch))


def load_weights(module: JointLMModule, reference: str) -> Path:
    """Load only the model weights of a checkpoint (strict) into ``module``; returns the file used."""
    path = resolve_checkpoint(reference)
    state = torch.load(path, map_location="cpu", weights_only=False)["state_dict"]
    model_state = {k.removeprefix("model."): v for k, v in state.items() if k.startswith("model.")}
    load_state_strict(module.model, model_state, str(path))
    return path


def train(config: TrainConfig, callbacks: Sequence[Callback] = (), decoders: Decoders | None = None) -> Path:
    """Train one stage and return the run directory; bad checkpoints fail before training starts."""
    run_dir = Path(config.run_dir)
    resume_path = resolve_checkpoint(config.resume) if config.resume else None
    if config.resume and config.init_from:
        raise CheckpointError("give either resume (continue a run) or init_from (start a stage), not both")
    L.seed_everything(config.seed, workers=True)
    module = JointLMModule(config)
    if config.init_from:
        log.info("initialised weights from %s", load_weights(module, config.init_from))
    if resume_path is not None:  # check compatibility now rather than after the trainer has started
        state = torch.load(resume_path, map_location="cpu", weights_only=False)["state_dict"]
        load_state_strict(module, state, str(resume_path))
    run_dir.mkdir(parents=True, exist_ok=True)
    save_config(config, run_dir / RESOLVED_CONFIG)
    section = config.trainer
    callbacks = [EpochCheckpoint(run_dir, section.checkpoint_every_n_epochs), *callbacks]
    if config.evaluation.every_n_epochs > 0:
        store = TokenStore(config.data.store)
        callbacks.append(
            PeriodicEvaluation(
                config.evaluation, store, decoders or TokenizerDecoders(store), run_dir, run_dir.name
            )
        )
    trainer = L.Trainer(
        default_root_dir=run_dir,
        max_epochs=section.max_epochs,
        accelerator=section.accelerator,
        devices=section.devices,
        strategy=section.strategy,
        precision=section.precision,
        gradient_clip_val=config.optim.grad_clip,
        log_every_n_steps=section.log_every_n_steps,
        limit_train_batches=section.limit_train_batches,
        limit_val_batches=section.limit_val_batches,
        logger=[
            CSVLogger(run_dir, name="logs", version=""),
            TensorBoardLogger(run_dir, name="tensorboard", version=""),
        ],
        callbacks=callbacks,
        enable_checkpointing=False,
        plugins=[AtomicCheckpointIO()],
        deterministic=True,
    )
    trainer.fit(
        module, datamodule=TokenDataModule(config.data), ckpt_path=str(resume_path) if resume_path else None
    )
    return run_dir
