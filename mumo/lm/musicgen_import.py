"""Import MusicGen decoder weights (transformers format) into a :class:`~mumo.lm.model.MusicMotionLM`."""

from __future__ import annotations

import re
from pathlib import Path

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


def _decoder(model_or_dir: nn.Module | str | Path) -> nn.Module:
    """The ``MusicgenForCausalLM`` inside a transformers model or a local directory of one."""
    from transformers import MusicgenForCausalLM, MusicgenForConditionalGeneration

    if isinstance(model_or_dir, (str, Path)):
        directory = Path(model_or_dir)
        if not (directory / "config.json").is_file():
            raise CheckpointError(
                f"{directory}: not a MusicGen directory (expected config.json and model.safetensors or "
                "pytorch_model.bin, as written by transformers' save_pretrained)"
            )
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(directory, local_files_only=True)
        cls = MusicgenForConditionalGeneration if config.model_type == "musicgen" else MusicgenForCausalLM
        try:
            model_or_dir = cls.from_pretrained(directory, local_files_only=True)
        except OSError as exc:
            raise CheckpointError(f"{directory}: cannot load MusicGen weights ({exc})") from None
    if isinstance(model_or_dir, MusicgenForConditionalGeneration):
        return model_or_dir.decoder
    if isinstance(model_or_dir, MusicgenForCausalLM):
        return model_or_dir
    raise CheckpointError(
        f"expected a MusicgenForCausalLM or MusicgenForConditionalGeneration, got {type(model_or_dir)}"
    )


def config_from_musicgen(
    decoder: nn.Module,
    condition_dim: int | None = None,
    text_encoder: str = "bytes",
    t5_directory: str | None = None,
) -> LMConfig:
    """The :class:`LMConfig` of a transformers MusicGen decoder, with the given description encoder."""
    c = decoder.config
    return LMConfig(
        num_codebooks=c.num_codebooks,
        cardinality=c.vocab_size,
        dim=c.hidden_size,
        num_heads=c.num_attention_heads,
        num_layers=c.num_hidden_layers,
        ffn_dim=c.ffn_dim,
        condition_dim=condition_dim or c.hidden_size,
        dropout=0.0,
        text_encoder=text_encoder,
        t5_directory=t5_directory,
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


def import_musicgen(model: nn.Module, decoder: nn.Module, copy_music_to_motion: bool = True) -> None:
    """Load the music stream of ``model`` from ``decoder``; the motion stream's embeddings, feed-forward
    blocks, norms and heads become copies of the music ones, or keep their fresh initialisation. Loading is
    strict over the whole state: a tensor that ends up missing or mis-shaped is an error."""
    state = musicgen_music_state(decoder)
    for key, value in model.state_dict().items():
        if key.startswith("text_encoder."):
            state[key] = value  # the description encoder is not part of the MusicGen decoder
        elif "motion" in key:
            source = key.replace("motion", "music")
            state[key] = state[source].clone() if copy_music_to_motion and source in state else value
    load_state_strict(model, state, "MusicGen import")
