"""How every mumo model is saved and loaded: a folder with ``config.json`` and ``model.safetensors``, each
file written atomically (:mod:`mumo.files`) and the weights loaded strictly, so a renamed key never leaves a
layer random.

The LM (:meth:`mumo.lm.MusicMotionLM.save_pretrained`), the tokenizers (:mod:`mumo.tokenizers.artifacts`)
and the bundles made of them (:mod:`mumo.pipeline.bundle`) all use it, and so do saved arrays that are not a
module's weights, such as the motion feature statistics (:class:`mumo.motion.FeatureStats`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from mumo.errors import CheckpointError
from mumo.files import temporary_file, write_text_atomically

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


def save_model_folder(directory: str | Path, config: dict[str, Any], model: nn.Module) -> Path:
    """Write ``config`` to ``directory/config.json`` and ``model``'s tensors to ``model.safetensors`` (the
    folder is created if needed; each file appears complete or not at all). Returns the folder."""
    state = {name: tensor.detach().contiguous().cpu() for name, tensor in model.state_dict().items()}
    return save_tensor_folder(directory, config, state)


def save_tensor_folder(
    directory: str | Path, config: dict[str, Any], tensors: Mapping[str, torch.Tensor]
) -> Path:
    """Write ``config`` to ``directory/config.json`` and ``tensors`` (name → contiguous CPU tensor, saved
    with its dtype and shape) to ``model.safetensors``; the folder is created if needed and each file appears
    complete or not at all. Returns the folder."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = temporary_file(directory / WEIGHTS_FILE, suffix=".safetensors")
    try:
        save_file(dict(tensors), str(weights))
        os.replace(weights, directory / WEIGHTS_FILE)
    finally:
        weights.unlink(missing_ok=True)
    write_text_atomically(directory / CONFIG_FILE, json.dumps(config, indent=2, sort_keys=True) + "\n")
    return directory


def read_config_file(directory: str | Path, what: str) -> dict[str, Any]:
    """The JSON object in ``directory/config.json`` of a saved ``what`` (e.g. "tokenizer").

    Raises:
        CheckpointError: the file is missing, not JSON, or not an object.
    """
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(f"{what} config {path} not found; point to a folder written by its save method")
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path} is not valid JSON ({exc}); save the {what} again") from None
    if not isinstance(config, dict):
        raise CheckpointError(f"{path} must hold a JSON object; save the {what} again")
    return config


def load_weights_file(directory: str | Path, model: nn.Module, what: str) -> None:
    """Load ``directory/model.safetensors`` into ``model`` strictly.

    Raises:
        CheckpointError: the file is missing or unreadable (e.g. truncated), or its tensors do not fit.
    """
    path = Path(directory) / WEIGHTS_FILE
    load_state_strict(model, _read_tensors(path, what), str(path))


def load_tensor_file(
    directory: str | Path, shapes: Mapping[str, tuple[int, ...]], what: str
) -> dict[str, torch.Tensor]:
    """The tensors of ``directory/model.safetensors`` (name → CPU tensor, with the dtype it was saved
    with), which must be exactly those named in ``shapes``, each of its shape.

    Raises:
        CheckpointError: the file is missing or unreadable, or it has missing, unexpected or mis-shaped
            tensors (all listed).
    """
    path = Path(directory) / WEIGHTS_FILE
    tensors = _read_tensors(path, what)
    mismatch = _mismatch(tensors, shapes)
    if mismatch:
        raise CheckpointError(f"{path}: tensors do not fit the {what}: {mismatch}")
    return tensors


def load_state_strict(model: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """``model.load_state_dict(state)``, raising a :class:`CheckpointError` that lists every missing,
    unexpected and mis-shaped tensor (``source`` names the file or directory in the message)."""
    mismatch = _mismatch(state, {name: tuple(v.shape) for name, v in model.state_dict().items()})
    if mismatch:
        raise CheckpointError(f"{source}: weights do not fit {type(model).__name__}: {mismatch}")
    model.load_state_dict(state, strict=True)


def _read_tensors(path: Path, what: str) -> dict[str, torch.Tensor]:
    """Every tensor of the safetensors file ``path`` of a saved ``what``."""
    if not path.is_file():
        raise CheckpointError(f"{what} weights {path} not found; the folder needs {WEIGHTS_FILE}")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{path} cannot be read ({exc}); save the {what} again") from None


def _mismatch(tensors: Mapping[str, torch.Tensor], shapes: Mapping[str, tuple[int, ...]]) -> str | None:
    """``"missing [...], unexpected [...], mis-shaped [...]"`` comparing ``tensors`` with the expected
    ``shapes`` (name → shape), or ``None`` when they fit."""
    missing = sorted(set(shapes) - set(tensors))
    unexpected = sorted(set(tensors) - set(shapes))
    misshaped = sorted(
        f"{k} {tuple(tensors[k].shape)} != {tuple(shape)}"
        for k, shape in shapes.items()
        if k in tensors and tuple(tensors[k].shape) != tuple(shape)
    )
    if missing or unexpected or misshaped:
        return f"missing {missing}, unexpected {unexpected}, mis-shaped {misshaped}"
    return None
