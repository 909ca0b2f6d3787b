"""mumo: one language model over music tokens and dance-motion tokens.

``mumo.load(checkpoint)`` opens a trained model for generation (see :mod:`mumo.pipeline`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from mumo.pipeline import Pipeline

__version__ = "0.1.0"


def load(checkpoint: str | Path, device: str | torch.device = "cpu", compile: bool = False) -> Pipeline:
    """A generation :class:`~mumo.pipeline.Pipeline` from an inference bundle, ``RUN_DIR/epoch=N`` or a
    training ``.ckpt`` file (imported on first use, so ``import mumo`` stays light); ``compile`` decodes with
    a compiled step (``torch.compile``, CUDA graphs on a GPU; same codes, faster after the first call)."""
    from mumo.pipeline import load as load_pipeline

    return load_pipeline(checkpoint, device, compile=compile)
