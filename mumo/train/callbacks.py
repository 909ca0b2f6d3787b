"""Training callbacks beyond checkpointing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import Callback

from mumo.data.token_store import TokenStore
from mumo.train.evaluation import Decoders, evaluate_model, music_prompts
from mumo.train.evaluation_config import EvaluationSection


class WeightDigest(Callback):
    """At the end of training every process writes ``weights_rank{R}.sha256``, the SHA-256 of its model
    weights, into ``directory``: equal digests show that distributed processes stayed in sync."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def on_train_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        digest = hashlib.sha256()
        for value in module.state_dict().values():
            digest.update(value.detach().cpu().contiguous().numpy().tobytes())
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / f"weights_rank{trainer.global_rank}.sha256").write_text(digest.hexdigest() + "\n")


class PeriodicEvaluation(Callback):
    """Every ``section.every_n_epochs`` epochs, evaluate the model (process 0 only) and append the records to
    ``RUN_DIR/metrics.jsonl`` (see :mod:`mumo.train.evaluation`).

    Raises:
        DataError: ``section.music_prompts`` names a file that cannot be used (checked when the callback is
            made, so before training rather than after the first evaluated epoch).
    """

    def __init__(
        self,
        section: EvaluationSection,
        store: TokenStore,
        decoders: Decoders,
        run_dir: Path,
        stage: str,
    ) -> None:
        music_prompts(section)
        self.section = section
        self.store = store
        self.decoders = decoders
        self.run_dir = run_dir
        self.stage = stage

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        epoch = trainer.current_epoch + 1
        if epoch % self.section.every_n_epochs or not trainer.is_global_zero:
            return
        model = module.model  # type: ignore[attr-defined]
        records = evaluate_model(
            model, self.store, self.decoders, self.section, epoch, self.run_dir, self.stage
        )  # fmt: skip
        for record in records:
            scores = ", ".join(f"{k} {v:.3f}" for k, v in record.metrics.items() if isinstance(v, float))
            module.print(
                f"epoch {epoch} {record.suite} gs {record.guidance_scale:g} seed {record.seed}: {scores}"
            )
