"""The on-disk form of a tokenizer directory: mumo's model folder (:mod:`mumo.weights`) whose ``config.json``
names the tokenizer's ``kind``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from torch import nn

from mumo.errors import CheckpointError, ConfigError
from mumo.weights import CONFIG_FILE, load_weights_file, read_config_file, save_model_folder

T = TypeVar("T")


def write_artifacts(directory: str | Path, kind: str, config: dict[str, Any], model: nn.Module) -> Path:
    """Write ``{"kind": kind, **config}`` and ``model``'s weights into ``directory`` (see
    :func:`mumo.weights.save_model_folder`). Returns the directory."""
    return save_model_folder(directory, {"kind": kind, **config}, model)


def read_config(directory: str | Path) -> dict[str, Any]:
    """The parsed ``config.json`` of a tokenizer directory.

    Raises:
        CheckpointError: the directory or its ``config.json`` is missing or not a JSON object.
    """
    return read_config_file(directory, "tokenizer")


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
    load_weights_file(directory, model, "tokenizer")
