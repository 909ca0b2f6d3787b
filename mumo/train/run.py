"""Run one training stage: run directory, data, model, checkpoints, logs, ``init_from`` and ``resume``
(the run directory's layout: :mod:`mumo.train.layout`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import Callback
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

from mumo.config import save_config
from mumo.data.datamodule import TokenDataModule
from mumo.data.token_store import TokenStore
from mumo.errors import CheckpointError, DataError
from mumo.lm import LMConfig, parameter_groups
from mumo.train.callbacks import PeriodicEvaluation
from mumo.train.checkpoints import (
    CHECKPOINT_DIR,
    AtomicCheckpointIO,
    epoch_checkpoint_name,
    model_state,
    read_checkpoint,
    resolve_checkpoint,
)
from mumo.train.config import TrainConfig
from mumo.train.evaluation import Decoders, TokenizerDecoders
from mumo.train.layout import BUILT_MODEL_CONFIG, LOG_DIR, RESOLVED_CONFIG, TENSORBOARD_DIR, log_segment
from mumo.train.metrics_log import drop_records_after
from mumo.train.module import JointLMModule
from mumo.weights import load_state_strict

log = logging.getLogger(__name__)


class EpochCheckpoint(Callback):
    """Saves ``RUN_DIR/checkpoints/epoch=N.ckpt`` after every ``every`` epochs and after the epochs in
    ``extra`` (N = epochs completed)."""

    def __init__(self, run_dir: Path, every: int, extra: Sequence[int] = ()) -> None:
        self.directory = run_dir / CHECKPOINT_DIR
        self.every = every
        self.extra = set(extra)

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        epochs = trainer.current_epoch + 1
        if epochs % self.every == 0 or epochs in self.extra:
            trainer.save_checkpoint(self.directory / epoch_checkpoint_name(trainer.current_epoch))


def load_weights(module: JointLMModule, reference: str) -> Path:
    """Load only the model weights of a checkpoint (strict) into ``module``; returns the file used."""
    path = resolve_checkpoint(reference)
    load_state_strict(module.model, model_state(read_checkpoint(path)), str(path))
    return path


def _recorded_layout(checkpoint: Path) -> str | None:
    """The attention layout recorded in the ``lm_config.json`` of the run that holds ``checkpoint``
    (``RUN_DIR/checkpoints/epoch=N.ckpt``); ``None`` where there is no such file or it names no layout."""
    recorded = checkpoint.parent.parent / BUILT_MODEL_CONFIG
    return json.loads(recorded.read_text()).get("layout") if recorded.is_file() else None


def _check_resumable(module: JointLMModule, path: Path) -> int:
    """Check that the checkpoint at ``path`` fits ``module`` (attention layout, weights and optimiser
    groups); returns the number of epochs it completed."""
    recorded, layout = _recorded_layout(path), module.model.config.layout
    if recorded is not None and recorded != layout:
        raise CheckpointError(
            f"{path}: its run was built with model.layout {recorded!r}, this config says {layout.value!r}; "
            f"resume continues a run as it was (set model.layout: {recorded}), or start a new stage from its "
            "weights with init_from"
        )
    checkpoint = read_checkpoint(path)
    load_state_strict(module, checkpoint.get("state_dict", {}), str(path))
    saved = [len(g["params"]) for g in checkpoint["optimizer_states"][0]["param_groups"]]
    groups = parameter_groups(module.model, module.config.optim.weight_decay)
    expected = [len(g["params"]) for g in groups]
    if saved != expected:
        raise CheckpointError(
            f"{path}: its optimiser has parameter groups of {saved} tensors, this config makes {expected} "
            "(a different freezing policy?); use init_from to start a new stage from its weights"
        )
    return int(checkpoint["epoch"]) + 1


def check_store_fits(store: TokenStore, model: LMConfig, where: str) -> None:
    """Refuse a token store whose codes the model cannot read (codebook count or cardinality)."""
    for role, info in (("music", store.meta.music), ("motion", store.meta.motion)):
        if info.num_codebooks != model.num_codebooks or info.cardinality > model.cardinality:
            raise DataError(
                f"{where}: its {role} codes have {info.num_codebooks} codebooks x {info.cardinality} entries "
                f"but the model reads {model.num_codebooks} x {model.cardinality}; set model.num_codebooks "
                "and model.cardinality to fit the store, or use the store of the model's tokenizers"
            )


def _check_fresh(run_dir: Path) -> None:
    if any((run_dir / CHECKPOINT_DIR).glob("*.ckpt")):
        raise CheckpointError(
            f"{run_dir} already holds a run; continue it with resume={run_dir}/epoch=N, or choose another "
            "run_dir"
        )


def train(config: TrainConfig, callbacks: Sequence[Callback] = (), decoders: Decoders | None = None) -> Path:
    """Train one stage and return the run directory.

    The model's attention layout is the config's ``model.layout``: with ``init_from`` it applies whichever
    layout the checkpoint's run trained with (only the weights are taken; a change is logged); with
    ``resume`` it must be the layout the run was built with (its ``lm_config.json``).

    Missing or incompatible checkpoints (a resume with another layout included), and a fresh start in a
    directory that already holds a run, fail with :class:`CheckpointError` before anything is written.
    """
    run_dir = Path(config.run_dir)
    if config.resume and config.init_from:
        raise CheckpointError("give either resume (continue a run) or init_from (start a stage), not both")
    resume_path = resolve_checkpoint(config.resume) if config.resume else None
    L.seed_everything(config.seed, workers=True)
    module = JointLMModule(config)
    check_store_fits(TokenStore(config.data.store), module.model.config, config.data.store)
    if config.init_from:
        source = load_weights(module, config.init_from)
        log.info("initialised weights from %s", source)
        earlier, layout = _recorded_layout(source), module.model.config.layout
        if earlier is not None and earlier != layout:
            log.info("%s was trained with layout %s; this stage uses %s", source, earlier, layout)
    start_epoch = 0
    if resume_path is None:
        _check_fresh(run_dir)
    else:
        start_epoch = _check_resumable(module, resume_path)
        drop_records_after(run_dir, start_epoch)
    run_dir.mkdir(parents=True, exist_ok=True)
    save_config(config, run_dir / RESOLVED_CONFIG)
    (run_dir / BUILT_MODEL_CONFIG).write_text(json.dumps(module.model.config.to_dict(), indent=2) + "\n")
    section = config.trainer
    callbacks = [
        EpochCheckpoint(run_dir, section.checkpoint_every_n_epochs, section.checkpoint_epochs),
        *callbacks,
    ]
    if config.evaluation.every_n_epochs > 0:
        store = TokenStore(config.data.store)
        callbacks.append(
            PeriodicEvaluation(
                config.evaluation, store, decoders or TokenizerDecoders(store), run_dir, run_dir.name
            )
        )  # fmt: skip
    segment = log_segment(start_epoch)
    trainer = L.Trainer(
        default_root_dir=run_dir,
        max_epochs=section.max_epochs,
        accelerator=section.accelerator,
        devices=section.devices,
        num_nodes=section.num_nodes,
        accumulate_grad_batches=section.accumulate_grad_batches,
        strategy=section.strategy,
        precision=section.effective_precision(),  # type: ignore[arg-type]
        gradient_clip_val=config.optim.grad_clip,
        log_every_n_steps=section.log_every_n_steps,
        limit_train_batches=section.limit_train_batches,
        limit_val_batches=section.limit_val_batches,
        logger=[
            CSVLogger(run_dir, name=LOG_DIR, version=segment),
            TensorBoardLogger(run_dir, name=TENSORBOARD_DIR, version=segment),
        ],
        callbacks=callbacks,
        enable_checkpointing=False,
        enable_progress_bar=section.progress_bar,
        plugins=[AtomicCheckpointIO()],
        deterministic=True,
    )
    trainer.fit(
        module, datamodule=TokenDataModule(config.data), ckpt_path=str(resume_path) if resume_path else None
    )
    return run_dir
