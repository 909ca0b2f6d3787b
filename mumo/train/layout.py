"""Names inside a training run's directory, shared by training, reports, evaluation and generation.

A run directory holds::

    config.yaml                      the resolved config of the run
    lm_config.json                   the config of the LM it built (shape taken from MusicGen where imported,
                                     attention layout: a resume must keep it)
    optimizer.json                   effective optimiser settings per parameter group
    checkpoints/epoch=N.ckpt         every ``trainer.checkpoint_every_n_epochs`` epochs, written atomically
    logs/from_epoch=E/metrics.csv    per-step and per-epoch losses (one folder per start or resume at epoch E)
    tensorboard/from_epoch=E/        the same for TensorBoard
    metrics.jsonl                    one line per periodic evaluation (see :mod:`mumo.train.metrics_log`)
    samples/                         rendered sample videos of the evaluations
"""

from __future__ import annotations

import re

RESOLVED_CONFIG = "config.yaml"
BUILT_MODEL_CONFIG = "lm_config.json"
LOG_DIR = "logs"
TENSORBOARD_DIR = "tensorboard"
_SEGMENT = re.compile(r"from_epoch=(\d+)")


def log_segment(start_epoch: int) -> str:
    """Folder name of the logs of a start (0) or a resume at ``start_epoch``."""
    return f"from_epoch={start_epoch}"


def segment_start(name: str) -> int | None:
    """The start epoch a log folder named by :func:`log_segment` stands for (``None`` for other names)."""
    match = _SEGMENT.fullmatch(name)
    return int(match[1]) if match else None
