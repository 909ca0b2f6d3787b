"""Strict weight loading shared by every mumo model: a renamed key never leaves a layer random."""

from __future__ import annotations

import torch
from torch import nn

from mumo.errors import CheckpointError


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
