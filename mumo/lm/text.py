"""Text conditioning: descriptions → states ``[B, L, condition_dim]`` + mask ``[B, L]`` for cross-attention.

Two encoders:

* :class:`LearnedTextEncoder` — a small transformer trained with the LM, over UTF-8 bytes (``"bytes"``) or
  over words hashed into :data:`WORD_BUCKETS` embeddings (``"words"``: a word is one input, so a description's
  key words reach the LM after far fewer steps than when it must spell them out of bytes). Needs no
  downloaded weights; the synthetic demo uses it.
* :class:`T5TextEncoder` — a frozen T5 encoder and its tokenizer read from a local directory (a T5 encoder
  such as ``t5-base`` saved with ``save_pretrained``, or a whole transformers MusicGen directory, whose own
  T5 is used) and a trainable projection to ``condition_dim`` (MusicGen's ``enc_to_dec_proj``). The T5
  weights are held outside the module tree, so they are neither saved with the LM nor switched to training
  mode by ``model.train()``.

The classifier-free-guidance null condition is the empty description ``""`` for every encoder, and
:func:`null_condition` alone defines what it becomes: all-zero states under an all-zero mask, which is
MusicGen's unconditional branch (its cross-attention then reads exactly zero). Training
(:func:`drop_descriptions`) and guided generation both produce it through
:meth:`~mumo.lm.model.MusicMotionLM.encode_descriptions`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from torch import nn

from mumo.errors import CheckpointError
from mumo.lm.layers import sinusoidal_positions

MAX_UNITS = 128
"""Longest description read, in units (bytes or words, the end token included); the rest is cut."""
WORD_BUCKETS = 4096
"""Embeddings of the ``"words"`` encoder: each lower-cased word is hashed (CRC-32) into one of them."""
WORD_PATTERN = re.compile(r"[^\W_]+")
UNIT_VOCAB = {"bytes": 256, "words": WORD_BUCKETS}
"""Input units of each learned encoder; two more ids follow them: the end token and padding."""


def text_units(text: str, units: str) -> list[int]:
    """The ids a learned encoder reads for ``text``: its UTF-8 bytes, or its lower-cased words (runs of
    letters and digits) hashed into :data:`WORD_BUCKETS`; at most ``MAX_UNITS - 1`` of them."""
    if units == "bytes":
        ids = list(text.encode("utf-8"))
    else:
        ids = [zlib.crc32(word.encode()) % WORD_BUCKETS for word in WORD_PATTERN.findall(text.lower())]
    return ids[: MAX_UNITS - 1]


NULL_DESCRIPTION = ""
"""The description that stands for "no condition" (classifier-free guidance)."""


def drop_descriptions(texts: Sequence[str], probability: float, generator: torch.Generator) -> list[str]:
    """Replace each description by the null description with ``probability``, drawn per sample."""
    keep = torch.rand(len(texts), generator=generator) >= probability
    return [text if k else NULL_DESCRIPTION for text, k in zip(texts, keep.tolist(), strict=True)]


def null_condition(
    texts: Sequence[str], states: torch.Tensor, mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """States ``[B, L, D]`` and mask ``[B, L]`` of ``texts`` with every null description's row set to zero
    states under a zero mask (MusicGen's unconditional branch); other rows are returned unchanged."""
    keep = torch.tensor([text != NULL_DESCRIPTION for text in texts], device=mask.device)
    mask = mask * keep[:, None].to(mask.dtype)
    return states * mask[..., None].to(states.dtype), mask


class LearnedTextEncoder(nn.Module):
    """Units (bytes or hashed words, :func:`text_units`) → embedding + sinusoidal positions →
    ``num_layers`` transformer encoder layers, trained with the LM.

    Args:
        dim: width of the states.
        units: ``"bytes"`` or ``"words"``.
        num_layers, num_heads: shape of the transformer encoder.
    """

    def __init__(self, dim: int, units: str = "bytes", num_layers: int = 2, num_heads: int = 4) -> None:
        super().__init__()
        if units not in UNIT_VOCAB:
            raise ValueError(f"text units must be one of {sorted(UNIT_VOCAB)}, got {units!r}")
        self.dim = dim
        self.units = units
        self.end_token = UNIT_VOCAB[units]
        self.pad_token = self.end_token + 1
        self.embedding = nn.Embedding(self.end_token + 2, dim, padding_idx=self.pad_token)
        layer = nn.TransformerEncoderLayer(
            dim, num_heads, 2 * dim, dropout=0.0, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)

    def tokenize(self, texts: Sequence[str], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """Ids ``[B, L]`` (each text's units, its end token, then padding) and mask ``[B, L]``."""
        rows = [[*text_units(text, self.units), self.end_token] for text in texts]
        length = max(len(r) for r in rows)
        tokens = torch.full((len(rows), length), self.pad_token, dtype=torch.long)
        for i, row in enumerate(rows):
            tokens[i, : len(row)] = torch.tensor(row)
        return tokens.to(device), (tokens != self.pad_token).long().to(device)

    def forward(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """States ``[B, L, dim]`` and mask ``[B, L]`` of ``texts``."""
        device = self.embedding.weight.device
        tokens, mask = self.tokenize(texts, device)
        positions = sinusoidal_positions(torch.arange(tokens.shape[1], device=device), self.dim, 10_000.0)
        embedded = self.embedding(tokens)
        x = embedded + positions.to(embedded.dtype)[None]
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        return self.norm(x) * mask[..., None], mask


class T5TextEncoder(nn.Module):
    """A frozen T5 encoder and its tokenizer + trainable ``Linear(t5_dim, dim)``.

    Args:
        t5: a transformers ``T5EncoderModel`` (frozen and put in eval mode here, for good).
        tokenizer: its tokenizer.
        dim: width of the projected states.
    """

    def __init__(self, t5: nn.Module, tokenizer: Callable, dim: int) -> None:
        super().__init__()
        t5.eval()
        for parameter in t5.parameters():
            parameter.requires_grad_(False)
        self.__dict__["t5"] = t5  # not a sub-module: never saved with the LM, never put in training mode
        self.tokenizer = tokenizer
        self.projection = nn.Linear(t5.config.d_model, dim)

    @classmethod
    def from_directory(cls, directory: str | Path, dim: int) -> T5TextEncoder:
        """Read the T5 encoder and tokenizer of a local T5 directory, or those of a MusicGen directory
        (``model_type: musicgen``; its ``enc_to_dec_proj`` is imported by
        :func:`mumo.lm.musicgen_import.import_musicgen`, not here).

        Raises:
            CheckpointError: no ``config.json``, or weights or tokenizer files that cannot be read.
        """
        from transformers import AutoConfig, AutoTokenizer, MusicgenForConditionalGeneration, T5EncoderModel

        directory = Path(directory)
        if not (directory / "config.json").is_file():
            raise CheckpointError(
                f"{directory}: no T5 encoder here (expected config.json, weights and tokenizer files as "
                "written by transformers' save_pretrained)"
            )
        try:
            if AutoConfig.from_pretrained(directory, local_files_only=True).model_type == "musicgen":
                musicgen = MusicgenForConditionalGeneration.from_pretrained(directory, local_files_only=True)
                t5 = musicgen.text_encoder
            else:
                t5 = T5EncoderModel.from_pretrained(directory, local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise CheckpointError(
                f"{directory}: cannot load the T5 encoder or its tokenizer ({exc})"
            ) from None
        return cls(t5, tokenizer, dim)

    def forward(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """States ``[B, L, dim]`` (zero on padding) and mask ``[B, L]`` of ``texts``."""
        device = self.projection.weight.device
        self.t5.to(device)
        batch = self.tokenizer(list(texts), padding=True, return_tensors="pt").to(device)
        with torch.no_grad():
            states = self.t5(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        mask = batch["attention_mask"]
        return self.projection(states.last_hidden_state) * mask[..., None], mask
