"""Training callbacks beyond checkpointing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import Callback


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
