"""Text conditioning: descriptions → states ``[B, L, condition_dim]`` + mask ``[B, L]`` for cross-attention.

Two encoders:

* :class:`ByteTextEncoder` — a small transformer over UTF-8 bytes, trained with the LM. Needs no downloaded
  weights; the synthetic demo uses it.
* :class:`T5TextEncoder` — a frozen T5 encoder read from a local directory (e.g. ``t5-base`` saved with
  ``save_pretrained``) and a trainable projection to ``condition_dim``. The T5 weights are held outside the
  module tree, so they are neither saved with the LM nor switched to training mode by ``model.train()``.

An empty description (the classifier-free-guidance null condition) still yields one end token, so no
cross-attention row is ever fully masked. :func:`drop_descriptions` draws the null condition per sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from mumo.errors import CheckpointError
from mumo.lm.layers import sinusoidal_positions

BYTE_VOCAB = 258  # 256 byte values, end token, padding
END_TOKEN = 256
PAD_TOKEN = 257
MAX_BYTES = 128


def drop_descriptions(texts: Sequence[str], probability: float, generator: torch.Generator) -> list[str]:
    """Replace each description by the null (empty) description with ``probability``, drawn per sample."""
    keep = torch.rand(len(texts), generator=generator) >= probability
    return [text if k else "" for text, k in zip(texts, keep.tolist(), strict=True)]


class ByteTextEncoder(nn.Module):
    """Bytes → embedding + sinusoidal positions → ``num_layers`` transformer encoder layers."""

    def __init__(self, dim: int, num_layers: int = 2, num_heads: int = 4) -> None:
        super().__init__()
        self.dim = dim
        self.embedding = nn.Embedding(BYTE_VOCAB, dim, padding_idx=PAD_TOKEN)
        layer = nn.TransformerEncoderLayer(
            dim, num_heads, 2 * dim, dropout=0.0, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)

    def tokenize(self, texts: Sequence[str], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        rows = [[*text.encode("utf-8")[: MAX_BYTES - 1], END_TOKEN] for text in texts]
        length = max(len(r) for r in rows)
        tokens = torch.full((len(rows), length), PAD_TOKEN, dtype=torch.long)
        for i, row in enumerate(rows):
            tokens[i, : len(row)] = torch.tensor(row)
        return tokens.to(device), (tokens != PAD_TOKEN).long().to(device)

    def forward(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """States ``[B, L, dim]`` and mask ``[B, L]`` of ``texts``."""
        device = self.embedding.weight.device
        tokens, mask = self.tokenize(texts, device)
        positions = sinusoidal_positions(torch.arange(tokens.shape[1], device=device), self.dim, 10_000.0)
        x = self.embedding(tokens) + positions[None]
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        return self.norm(x) * mask[..., None], mask


class T5TextEncoder(nn.Module):
    """Frozen T5 encoder from ``directory`` + trainable ``Linear(t5_dim, dim)``."""

    def __init__(self, directory: str | Path, dim: int) -> None:
        super().__init__()
        from transformers import AutoTokenizer, T5EncoderModel

        directory = Path(directory)
        if not (directory / "config.json").is_file():
            raise CheckpointError(
                f"{directory}: no T5 encoder here (expected config.json, weights and tokenizer files as "
                "written by transformers' save_pretrained)"
            )
        t5 = T5EncoderModel.from_pretrained(directory, local_files_only=True).eval()
        for parameter in t5.parameters():
            parameter.requires_grad_(False)
        self.__dict__["t5"] = t5  # not a sub-module: never saved with the LM, never put in training mode
        self.tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        self.projection = nn.Linear(t5.config.d_model, dim)

    def forward(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        device = self.projection.weight.device
        self.t5.to(device)
        batch = self.tokenizer(list(texts), padding=True, return_tensors="pt").to(device)
        with torch.no_grad():
            states = self.t5(**batch).last_hidden_state
        mask = batch["attention_mask"]
        return self.projection(states) * mask[..., None], mask
