"""How every mumo model is saved and loaded: a folder with ``config.json`` and ``model.safetensors``, each
file written atomically (:mod:`mumo.files`) and the weights loaded strictly, so a renamed key never leaves a
layer random.

The LM (:meth:`mumo.lm.MusicMotionLM.save_pretrained`), the tokenizers (:mod:`mumo.tokenizers.artifacts`)
and the bundles made of them (:mod:`mumo.pipeline.bundle`) all use it.
"""

from __future__ import annotations

import json
import os
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
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().contiguous().cpu() for name, tensor in model.state_dict().items()}
    weights = temporary_file(directory / WEIGHTS_FILE, suffix=".safetensors")
    try:
        save_file(state, str(weights))
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
    if not path.is_file():
        raise CheckpointError(f"{what} weights {path} not found; the folder needs {WEIGHTS_FILE}")
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{path} cannot be read ({exc}); save the {what} again") from None
    load_state_strict(model, state, str(path))


def load_state_strict(model: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """``model.load_state_dict(state)``, raising a :class:`CheckpointError` that lists every missing,
    unexpected and mis-shaped tensor (``source`` names the file or directory in the message)."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    misshaped = sorted(
        f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    )
    if missing or unexpected or misshaped:
        raise CheckpointError(
            f"{source}: weights do not fit {type(model).__name__}: missing {missing}, "
            f"unexpected {unexpected}, mis-shaped {misshaped}"
        )
    model.load_state_dict(state, strict=True)
