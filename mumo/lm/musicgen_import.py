"""Import a transformers MusicGen (text encoder, projection, decoder) into a
:class:`~mumo.lm.model.MusicMotionLM`.

A whole MusicGen (``MusicgenForConditionalGeneration``, or a local directory as ``save_pretrained`` writes it,
with its tokenizer files beside it) gives the music stream, the description encoder (its frozen T5 and its
tokenizer) and the projection of the T5 states (``enc_to_dec_proj``); a bare decoder (``MusicgenForCausalLM``)
gives only the music stream, and descriptions are then encoded by mumo's own byte-level encoder. Every source
tensor is accounted for: decoder tensors by name, ``enc_to_dec_proj`` as the projection, ``text_encoder.*`` as
the frozen T5 the LM keeps, ``audio_encoder.*`` as the music codec (mumo's music tokenizer, not part of the
LM); any other name is a :class:`CheckpointError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mumo.errors import CheckpointError
from mumo.lm.config import LMConfig
from mumo.weights import load_state_strict

LAYER_RENAMES = {
    "self_attn_layer_norm": "self_attn_norm",
    "encoder_attn_layer_norm": "cross_attn_norm",
    "encoder_attn": "cross_attn",
    "final_layer_norm": "music_ffn_norm",
    "fc1": "music_ffn.fc1",
    "fc2": "music_ffn.fc2",
}
CODEC_PREFIX = "audio_encoder."
TEXT_ENCODER_PREFIX = "text_encoder."
PROJECTION_PREFIX = "enc_to_dec_proj."


@dataclass
class MusicgenParts:
    """What a MusicGen source holds.

    Attributes:
        decoder: the ``MusicgenForCausalLM``.
        whole: the ``MusicgenForConditionalGeneration`` (``None`` for a bare decoder).
        tokenizer: the T5 tokenizer (``None`` for a bare decoder).
        directory: the local directory it was read from (``None`` for an in-memory model).
    """

    decoder: nn.Module
    whole: nn.Module | None
    tokenizer: Any
    directory: Path | None


def read_musicgen(model_or_directory: nn.Module | str | Path, tokenizer: Any = None) -> MusicgenParts:
    """The parts of a transformers MusicGen model or local directory.

    Args:
        model_or_directory: ``MusicgenForConditionalGeneration``, ``MusicgenForCausalLM`` or a local
            directory of either (``config.json`` + weights; for the whole model, tokenizer files beside them).
        tokenizer: the T5 tokenizer of an in-memory ``MusicgenForConditionalGeneration`` (a directory's own
            tokenizer is read from it).

    Raises:
        CheckpointError: not a MusicGen, weights or tokenizer missing.
    """
    from transformers import AutoConfig, AutoTokenizer, MusicgenForCausalLM, MusicgenForConditionalGeneration

    directory = None
    if isinstance(model_or_directory, (str, Path)):
        directory = Path(model_or_directory)
        if not (directory / "config.json").is_file():
            raise CheckpointError(
                f"{directory}: not a MusicGen directory (expected config.json and model.safetensors or "
                "pytorch_model.bin, as written by transformers' save_pretrained)"
            )
        config = AutoConfig.from_pretrained(directory, local_files_only=True)
        cls = MusicgenForConditionalGeneration if config.model_type == "musicgen" else MusicgenForCausalLM
        try:
            model_or_directory = cls.from_pretrained(directory, local_files_only=True)
            if cls is MusicgenForConditionalGeneration:
                tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise CheckpointError(
                f"{directory}: cannot load MusicGen weights or its T5 tokenizer ({exc}); save the "
                "tokenizer into the same directory (tokenizer.save_pretrained)"
            ) from None
    if isinstance(model_or_directory, MusicgenForConditionalGeneration):
        if tokenizer is None:
            raise ValueError("an in-memory MusicgenForConditionalGeneration needs its T5 tokenizer")
        return MusicgenParts(model_or_directory.decoder, model_or_directory, tokenizer, directory)
    if isinstance(model_or_directory, MusicgenForCausalLM):
        return MusicgenParts(model_or_directory, None, None, directory)
    raise CheckpointError(
        f"expected a MusicgenForCausalLM or MusicgenForConditionalGeneration, got {type(model_or_directory)}"
    )


TRAINING_SETTINGS = (
    "dropout",
    "layout",
    "music_context_layers",
    "motion_context_layers",
    "context_lookahead",
)
"""The fields of :class:`LMConfig` that are not MusicGen's but the training's: all an import may set."""


def config_from_musicgen(parts: MusicgenParts, **settings: Any) -> LMConfig:
    """The :class:`LMConfig` of a transformers MusicGen: the decoder's shape, the width its cross-attention
    reads, and MusicGen's T5 (read from ``parts.directory``), or mumo's byte-level encoder for a bare
    decoder; ``settings`` are fields of :data:`TRAINING_SETTINGS` (the defaults of :class:`LMConfig` for
    the others).

    Raises:
        ValueError: a setting that is not one of :data:`TRAINING_SETTINGS`.
    """
    unknown = sorted(set(settings) - set(TRAINING_SETTINGS))
    if unknown:
        raise ValueError(f"{', '.join(unknown)} come from the MusicGen; only {TRAINING_SETTINGS} may be set")
    c = parts.decoder.config
    condition_dim = parts.decoder.model.decoder.layers[0].encoder_attn.k_proj.in_features
    return LMConfig(
        num_codebooks=c.num_codebooks,
        cardinality=c.vocab_size,
        dim=c.hidden_size,
        num_heads=c.num_attention_heads,
        num_layers=c.num_hidden_layers,
        ffn_dim=c.ffn_dim,
        condition_dim=condition_dim,
        text_encoder="t5" if parts.whole is not None else "bytes",
        t5_directory=str(parts.directory) if parts.whole is not None and parts.directory else None,
        **settings,
    )


def musicgen_music_state(decoder: nn.Module) -> dict[str, torch.Tensor]:
    """MusicGen decoder tensors renamed to mumo's music-stream names. Every source tensor is used exactly
    once; an unknown name is a :class:`CheckpointError`."""
    out: dict[str, torch.Tensor] = {}
    unknown = []
    for name, tensor in decoder.state_dict().items():
        if match := re.fullmatch(r"model\.decoder\.embed_tokens\.(\d+)\.weight", name):
            out[f"music_embeddings.{match[1]}.weight"] = tensor
        elif match := re.fullmatch(r"lm_heads\.(\d+)\.weight", name):
            out[f"music_heads.{match[1]}.weight"] = tensor
        elif match := re.fullmatch(r"model\.decoder\.layer_norm\.(weight|bias)", name):
            out[f"out_norm.{match[1]}"] = tensor
        elif match := re.fullmatch(r"model\.decoder\.layers\.(\d+)\.(\w+)\.(.+)", name):
            layer, module, rest = match.groups()
            if module in ("self_attn", "encoder_attn"):
                out[f"layers.{layer}.{LAYER_RENAMES.get(module, module)}.{rest}"] = tensor
            elif module in LAYER_RENAMES:
                out[f"layers.{layer}.{LAYER_RENAMES[module]}.{rest}"] = tensor
            else:
                unknown.append(name)
        else:
            unknown.append(name)
    if unknown:
        raise CheckpointError(f"MusicGen tensors mumo does not know how to import: {unknown}")
    return out


def projection_state(whole: nn.Module, condition_dim: int) -> dict[str, torch.Tensor]:
    """``text_encoder.projection.*`` from ``enc_to_dec_proj``; identity where MusicGen has no projection
    (text width equal to the width its cross-attention reads). Any tensor of ``whole`` that is neither
    decoder, projection, T5 nor codec is a :class:`CheckpointError`."""
    state = whole.state_dict()
    known = ("decoder.", PROJECTION_PREFIX, TEXT_ENCODER_PREFIX, CODEC_PREFIX)
    unknown = [name for name in state if not name.startswith(known)]
    if unknown:
        raise CheckpointError(f"MusicGen tensors mumo does not know how to import: {unknown}")
    projection = {
        f"text_encoder.projection.{name[len(PROJECTION_PREFIX) :]}": tensor
        for name, tensor in state.items()
        if name.startswith(PROJECTION_PREFIX)
    }
    if projection:
        return projection
    text_dim = whole.text_encoder.config.d_model
    if text_dim != condition_dim:
        raise CheckpointError(
            f"MusicGen has no enc_to_dec_proj but its T5 width {text_dim} differs from its cross-attention "
            f"width {condition_dim}"
        )
    return {
        "text_encoder.projection.weight": torch.eye(condition_dim),
        "text_encoder.projection.bias": torch.zeros(condition_dim),
    }


def import_musicgen(model: nn.Module, parts: MusicgenParts, copy_music_to_motion: bool = True) -> None:
    """Load the music stream (and, for a whole MusicGen, the T5 projection) of ``model`` from ``parts``; the
    motion stream's embeddings, feed-forward blocks, norms and heads become copies of the music ones, or keep
    their fresh initialisation; the stream contexts (``LMConfig.music_context_layers``,
    ``motion_context_layers``, their lookahead twins) keep their own. Loading is strict over the whole state:
    a tensor that ends up missing or mis-shaped is an error. (The frozen T5 itself is handed to the model when
    it is built.)"""
    state = musicgen_music_state(parts.decoder)
    if parts.whole is not None:
        state.update(projection_state(parts.whole, model.config.condition_dim))
    for key, value in model.state_dict().items():
        if key.startswith("text_encoder.") and parts.whole is None:
            state[key] = value  # mumo's byte-level encoder: not part of a bare MusicGen decoder
        elif key.startswith(("music_context.", "motion_context.", "music_lookahead.", "motion_lookahead.")):
            state[key] = value  # the stream contexts: mumo's own, trained from their init
        elif "motion" in key:
            source = key.replace("motion", "music")
            state[key] = state[source].clone() if copy_music_to_motion and source in state else value
    load_state_strict(model, state, "MusicGen import")


def random_musicgen(config: LMConfig, text_dim: int = 16, seed: int = 0) -> tuple[nn.Module, Any]:
    """A random-weight transformers ``MusicgenForConditionalGeneration`` of ``config``'s decoder shape (a
    one-layer T5 of width ``text_dim`` and a tiny EnCodec) and a ``ByT5Tokenizer``: needs no downloaded files;
    for tests and benchmarks. ``save_pretrained`` both into one directory to get a local MusicGen directory.
    The special token (pad, BOS) is ``config.cardinality``, as in MusicGen."""
    from transformers import (
        ByT5Tokenizer,
        EncodecConfig,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        T5Config,
    )

    special = config.cardinality
    decoder = MusicgenDecoderConfig(
        vocab_size=config.cardinality, max_position_embeddings=4096, num_hidden_layers=config.num_layers,
        ffn_dim=config.ffn_dim, num_attention_heads=config.num_heads, hidden_size=config.dim,
        num_codebooks=config.num_codebooks, pad_token_id=special, bos_token_id=special,
        decoder_start_token_id=special, dropout=0.0,
    )  # fmt: skip
    text = T5Config(vocab_size=384, d_model=text_dim, d_kv=4, d_ff=2 * text_dim, num_layers=1, num_heads=4)
    bits = max(1, (config.cardinality - 1).bit_length())  # EnCodec codebooks hold a power of 2 codes
    codec = EncodecConfig(
        codebook_size=2**bits,
        hidden_size=8,
        num_filters=4,
        num_residual_layers=1,
        upsampling_ratios=[2, 2],
        codebook_dim=8,
        sampling_rate=100,
        target_bandwidths=[config.num_codebooks * 25 * bits / 1000],
    )  # fmt: skip  25 frames/s (100 Hz, hop 4): K codebooks of `bits` bits, in kbit/s
    torch.manual_seed(seed)
    whole_config = MusicgenConfig(
        text_encoder=text.to_dict(), audio_encoder=codec.to_dict(), decoder=decoder.to_dict()
    )
    model = MusicgenForConditionalGeneration(whole_config).eval()
    model.generation_config.decoder_start_token_id = special
    model.generation_config.pad_token_id = special
    return model, ByT5Tokenizer()
