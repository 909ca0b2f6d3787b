"""The on-disk form of a tokenizer directory: ``config.json`` (with a ``kind``) and ``model.safetensors``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from mumo.errors import CheckpointError, ConfigError
from mumo.weights import load_state_strict

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"

T = TypeVar("T")


def write_artifacts(directory: str | Path, kind: str, config: dict[str, Any], model: nn.Module) -> Path:
    """Write ``{"kind": kind, **config}`` to ``config.json`` and ``model``'s state to ``model.safetensors``.

    Returns:
        The directory (created if needed).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).write_text(
        json.dumps({"kind": kind, **config}, indent=2, sort_keys=True) + "\n"
    )
    state = {name: tensor.detach().contiguous().cpu() for name, tensor in model.state_dict().items()}
    save_file(state, str(directory / WEIGHTS_FILE))
    return directory


def read_config(directory: str | Path) -> dict[str, Any]:
    """The parsed ``config.json`` of a tokenizer directory.

    Raises:
        CheckpointError: the directory or its ``config.json`` is missing or not a JSON object.
    """
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(
            f"tokenizer config {path} not found; point to a directory written by a tokenizer's save()"
        )
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{path} is not valid JSON ({exc}); re-save the tokenizer") from None
    if not isinstance(config, dict):
        raise CheckpointError(f"{path} must hold a JSON object; re-save the tokenizer")
    return config


def read_model_config(directory: str | Path, kind: str, parse: Callable[[dict], T]) -> T:
    """The ``model`` entry of a ``kind`` tokenizer's ``config.json``, parsed by ``parse``.

    Raises:
        CheckpointError: the config is missing, of another kind, or its ``model`` entry is invalid.
    """
    config = read_config(directory)
    if config.get("kind") != kind:
        raise CheckpointError(f"{directory} holds a {config.get('kind')!r} tokenizer, not {kind!r}")
    try:
        return parse(config["model"])
    except (KeyError, TypeError, ValueError, ConfigError) as exc:
        raise CheckpointError(f"{directory}/{CONFIG_FILE} has an invalid 'model' entry ({exc})") from None


def load_weights(directory: str | Path, model: nn.Module) -> None:
    """Load ``model.safetensors`` from ``directory`` into ``model`` strictly.

    Raises:
        CheckpointError: the file is missing or unreadable, or its tensors do not fit ``model``.
    """
    path = Path(directory) / WEIGHTS_FILE
    if not path.is_file():
        raise CheckpointError(f"tokenizer weights {path} not found; the directory needs {WEIGHTS_FILE}")
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{path} cannot be read ({exc}); re-save the tokenizer") from None
    load_state_strict(model, state, str(path))
