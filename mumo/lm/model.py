"""The joint music–motion LM: a MusicGen decoder whose attention is shared by a music and a motion stream.

Each stream has its own K codebook embeddings, its own feed-forward block (and norm) in every layer and its
own K output heads; self-attention, cross-attention, their norms and the final norm are shared. The two
streams are concatenated along time, ``[music steps | motion steps]``, each with positions from 0. With
``LMConfig.music_context_layers``, a causal context of the music codes is added to the motion input of the
same step wherever the task lets motion see music; with ``motion_context_layers``, the mirror image; with
``context_lookahead``, where a stream is given whole, its context also reads the steps ahead
(:mod:`mumo.lm.stream_context`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mumo.errors import CheckpointError
from mumo.lm.config import LMConfig
from mumo.lm.delay_pattern import DelayPattern
from mumo.lm.layers import KVCache, TwoStreamLayer, sinusoidal_positions
from mumo.lm.masks import Visibility, cross_attention_mask, two_stream_mask
from mumo.lm.musicgen_import import config_from_musicgen, import_musicgen, read_musicgen
from mumo.lm.stream_context import StreamContext
from mumo.lm.streams import Stream
from mumo.lm.tasks import Task, task_spec
from mumo.lm.text import LearnedTextEncoder, T5TextEncoder, null_condition
from mumo.weights import load_weights_file, read_config_file, save_model_folder


@dataclass(frozen=True)
class Conditions:
    """Description states the cross-attention reads.

    Attributes:
        music_states: ``[B, Lm, condition_dim]`` states of the music descriptions.
        music_mask: ``[B, Lm]`` 1 for valid tokens.
        motion_states: ``[B, Ld, condition_dim]`` states of the motion descriptions.
        motion_mask: ``[B, Ld]``.
    """

    music_states: torch.Tensor
    music_mask: torch.Tensor
    motion_states: torch.Tensor
    motion_mask: torch.Tensor

    @property
    def states(self) -> torch.Tensor:
        return torch.cat([self.music_states, self.motion_states], dim=1)

    def repeat(self, times: int) -> Conditions:
        """The conditions tiled ``times`` along the batch."""
        return Conditions(*(t.repeat(times, *([1] * (t.dim() - 1))) for t in self._tensors()))

    def _tensors(self) -> tuple[torch.Tensor, ...]:
        return self.music_states, self.music_mask, self.motion_states, self.motion_mask


@dataclass(frozen=True)
class StreamLogits:
    """Logits per stream, ``[B, K, T, cardinality]`` aligned with the codes (``None``: a stream the task does
    not predict: given, or absent)."""

    music: torch.Tensor | None
    motion: torch.Tensor | None


class MusicMotionLM(nn.Module):
    """The joint LM. Calling it (:meth:`forward`) gives the teacher-forced logits of a task, the training
    entry point; :mod:`mumo.lm.generate` samples from it."""

    def __init__(self, config: LMConfig, text_encoder: nn.Module | None = None) -> None:
        """A freshly initialised LM of shape ``config``; ``text_encoder`` (default: built from ``config``:
        the byte-level encoder, or the T5 of ``config.t5_directory``) encodes the descriptions."""
        super().__init__()
        self.config = config
        vocab = config.cardinality + 1
        self.music_embeddings = nn.ModuleList(
            nn.Embedding(vocab, config.dim) for _ in range(config.num_codebooks)
        )
        self.motion_embeddings = nn.ModuleList(
            nn.Embedding(vocab, config.dim) for _ in range(config.num_codebooks)
        )
        self.layers = nn.ModuleList(TwoStreamLayer(config) for _ in range(config.num_layers))
        self.out_norm = nn.LayerNorm(config.dim)
        self.music_heads = nn.ModuleList(
            nn.Linear(config.dim, config.cardinality, bias=False) for _ in range(config.num_codebooks)
        )
        self.motion_heads = nn.ModuleList(
            nn.Linear(config.dim, config.cardinality, bias=False) for _ in range(config.num_codebooks)
        )
        self.music_context = _stream_context(config.dim, config.music_context_layers)
        self.motion_context = _stream_context(config.dim, config.motion_context_layers)
        self.music_lookahead = _lookahead_context(config, config.music_context_layers)
        self.motion_lookahead = _lookahead_context(config, config.motion_context_layers)
        self.pattern = DelayPattern(config.num_codebooks, config.special_token)
        self.reset_parameters()
        if text_encoder is None:
            if config.text_encoder == "t5" and not config.t5_directory:
                raise ValueError("text_encoder 't5' needs t5_directory (a local T5 or MusicGen directory)")
            text_encoder = (
                T5TextEncoder.from_directory(str(config.t5_directory), config.condition_dim)
                if config.text_encoder == "t5"
                else LearnedTextEncoder(
                    config.condition_dim, config.text_encoder, num_heads=_text_heads(config.condition_dim)
                )
            )
        self.text_encoder = text_encoder

    def reset_parameters(self) -> None:
        """Init of a model trained from scratch: normal(0, 0.02) linear layers, unit LayerNorms, and codebook
        embeddings of std ``(2 K)^-1/2``, so that the K summed code embeddings of a step carry as much power
        as its sinusoidal position (per-dimension RMS ``2^-1/2``). With the linear layers' 0.02 the codes
        would be 4 % of the input signal and the positions the rest: a model then takes thousands of steps
        before it can tell one code from another, and far longer to look up the other stream's code of the
        same frame (measured in docs/quality.md)."""
        embedding_std = (2 * self.config.num_codebooks) ** -0.5
        for module in self.modules():
            if isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, std=embedding_std)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=0.02)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def encode_descriptions(self, music_texts: Sequence[str], motion_texts: Sequence[str]) -> Conditions:
        """Cross-attention conditions from ``B`` music and ``B`` motion descriptions; the null description
        ``""`` becomes the null condition (:func:`~mumo.lm.text.null_condition`).

        Returns:
            :class:`Conditions` with states ``[B, L, condition_dim]`` and masks ``[B, L]``.
        """
        music = null_condition(music_texts, *self.text_encoder(music_texts))
        motion = null_condition(motion_texts, *self.text_encoder(motion_texts))
        return Conditions(*music, *motion)

    # ----------------------------------------------------------------- core
    def _embed(self, tokens: torch.Tensor, tables: nn.ModuleList, positions: torch.Tensor) -> torch.Tensor:
        summed = _code_embeddings(tokens, tables)
        pos = sinusoidal_positions(positions, self.config.dim, self.config.max_period).to(summed.dtype)
        return summed + pos[None]

    def code_embeddings(self, stream: Stream, tokens: torch.Tensor) -> torch.Tensor:
        """Summed code embeddings ``[B, Q, D]`` of ``stream``'s pattern tokens ``[B, K, Q]`` (no positions):
        what its context reads."""
        tables = self.music_embeddings if stream is Stream.MUSIC else self.motion_embeddings
        return _code_embeddings(tokens, tables)

    def context_module(self, stream: Stream) -> StreamContext | None:
        """The causal context of ``stream`` that the *other* stream's input reads (``music_context`` for the
        motion input, ``motion_context`` for the music input; ``None`` where the model has none)."""
        return self.music_context if stream is Stream.MUSIC else self.motion_context

    def stream_context(
        self, stream: Stream, tokens: torch.Tensor, visibility: Visibility = Visibility.CAUSAL
    ) -> torch.Tensor | None:
        """What the other stream's input of each pattern step reads of ``stream``: ``[B, S, D]`` from
        ``stream``'s pattern tokens ``[B, K, S]`` (step ``s`` reads steps ``<= s``, and with ``FULL``
        ``visibility`` and a lookahead module also the steps after it; ``None`` without that context). Pass
        the steps being fed to :meth:`run` (the music's as ``to_motion``, the motion's as ``to_music``)."""
        module = self.context_module(stream)
        if module is None:
            return None
        embedded = self.code_embeddings(stream, tokens)
        context = module(embedded)
        ahead = self.music_lookahead if stream is Stream.MUSIC else self.motion_lookahead
        if ahead is not None and visibility is Visibility.FULL:
            context = context + ahead(embedded)
        return context

    def cross_kv(
        self, conditions: Conditions, cache: KVCache | None = None
    ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per-layer keys/values ``[B, H, Lm + Ld, hd]`` of the description states (taken from / stored in
        ``cache``)."""
        if cache is not None and cache.cross_kv is not None:
            return cache.cross_kv
        states = conditions.states
        kv = [layer.cross_attn.project_source(states) for layer in self.layers]
        if cache is not None:
            cache.cross_kv = kv
        return kv

    def new_cache(self, batch: int, capacity: int) -> KVCache:
        """An empty :class:`KVCache` for ``batch`` sequences of ``capacity`` positions (both streams
        together), on the model's device and in its dtype."""
        weight = self.layers[0].self_attn.k_proj.weight
        c = self.config
        return KVCache(
            c.num_layers, batch, c.num_heads, capacity, c.dim // c.num_heads, weight.dtype, weight.device
        )

    def run(self, *inputs: Any, **options: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """One pass over new pattern steps of both streams, with the arguments of :meth:`hidden_states`; then
        each stream's heads.

        Returns:
            Music logits ``[B, K, Qm, card]`` and motion logits ``[B, K, Qd, card]`` (step ``s`` predicts
            step ``s + 1``).
        """
        music, motion = self.hidden_states(*inputs, **options)
        return self.stream_logits(Stream.MUSIC, music), self.stream_logits(Stream.MOTION, motion)

    def stream_heads(self, stream: Stream) -> nn.ModuleList:
        """``stream``'s classification heads, one per codebook."""
        return self.music_heads if stream is Stream.MUSIC else self.motion_heads

    def stream_logits(self, stream: Stream, hidden: torch.Tensor) -> torch.Tensor:
        """Logits ``[B, K, Q, card]`` of ``stream``'s heads for its final hidden states ``[B, Q, D]``."""
        return torch.stack([head(hidden) for head in self.stream_heads(stream)], dim=1)

    def hidden_states(
        self,
        music_tokens: torch.Tensor,
        music_positions: torch.Tensor,
        motion_tokens: torch.Tensor,
        motion_positions: torch.Tensor,
        conditions: Conditions,
        self_mask: torch.Tensor,
        cache: KVCache | None = None,
        slots: torch.Tensor | None = None,
        to_motion: torch.Tensor | None = None,
        to_music: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The final (normed) hidden states of new pattern steps of both streams.

        Args:
            music_tokens: ``[B, K, Qm]`` pattern tokens (``Qm`` may be 0); ``music_positions``: their steps.
            motion_tokens: ``[B, K, Qd]``; ``motion_positions`` ``[Qd]``.
            conditions: the description states.
            self_mask: bool ``[Qm + Qd, N]``: without a cache over the new positions (in order music,
                motion), with one over the first ``N`` slots of the cache.
            cache: key/value cache the new positions are written to and read from (``None`` = no cache).
            slots: ``[Qm + Qd]`` cache slots of the new positions (with ``cache``).
            to_motion: ``[B, Qd, D]`` added to the motion inputs: the music's context
                (:meth:`stream_context`; ``None``: nothing added).
            to_music: ``[B, Qm, D]`` added to the music inputs: the motion's context.

        Returns:
            The music steps' ``[B, Qm, D]`` and the motion steps' ``[B, Qd, D]``.
        """
        num_music = music_tokens.shape[-1]
        music = _plus(self._embed(music_tokens, self.music_embeddings, music_positions), to_music)
        motion = _plus(self._embed(motion_tokens, self.motion_embeddings, motion_positions), to_motion)
        x = torch.cat([music, motion], dim=1)
        cross_mask = cross_attention_mask(
            num_music, motion_tokens.shape[-1], conditions.music_mask, conditions.motion_mask
        ).to(x.device)
        for index, (layer, kv) in enumerate(zip(self.layers, self.cross_kv(conditions, cache), strict=True)):
            x = layer(x, num_music, self_mask, kv, cross_mask, cache, index, slots)
        x = self.out_norm(x)
        return x[:, :num_music], x[:, num_music:]

    # ------------------------------------------------------------- training
    def forward(
        self,
        task: Task | str,
        conditions: Conditions,
        music_codes: torch.Tensor | None = None,
        motion_codes: torch.Tensor | None = None,
    ) -> StreamLogits:
        """Teacher-forced logits of ``task`` for codes ``[B, K, T]`` of the streams the task uses, with the
        masks of the model's attention layout (``config.layout``).

        Returns:
            Logits ``[B, K, T, card]`` per present stream, aligned with the codes (``logits[..., t, :]``
            predicts code ``t``).
        """
        spec = task_spec(task, self.config.layout)
        reference = music_codes if music_codes is not None else motion_codes
        if reference is None:
            raise ValueError("the forward pass needs the codes of at least one stream")
        batch, _, num_frames = reference.shape
        length = self.pattern.input_length(num_frames)
        device = reference.device
        empty = torch.zeros(batch, self.config.num_codebooks, 0, dtype=torch.long, device=device)

        def whole(codes: torch.Tensor | None, present: bool) -> torch.Tensor:
            """The stream's pattern sequence ``[B, K, T + K]`` (its inputs: every step but the last)."""
            if not present:
                return empty
            if codes is None:
                raise ValueError(f"task {Task(task).value} needs codes for both streams")
            return self.pattern.build(codes)

        given = {Stream.MUSIC: music_codes, Stream.MOTION: motion_codes}
        sequences = {stream: whole(codes, spec.has(stream)) for stream, codes in given.items()}
        music_in, motion_in = sequences[Stream.MUSIC][..., :-1], sequences[Stream.MOTION][..., :-1]
        mask = two_stream_mask(
            music_in.shape[-1], motion_in.shape[-1], spec.music_sees_motion, spec.motion_sees_music, device
        )
        positions = torch.arange(length, device=device)
        contexts: dict[Stream, torch.Tensor | None] = {}
        for stream, sequence in sequences.items():  # a stream's context, where the other stream sees it
            seen = spec.sees_other(stream.other)
            context = self.stream_context(stream, sequence, seen) if seen != Visibility.NONE else None
            contexts[stream] = context[:, :-1] if context is not None else None  # a lookahead reads the last
        music_hidden, motion_hidden = self.hidden_states(
            music_in,
            positions[: music_in.shape[-1]],
            motion_in,
            positions[: motion_in.shape[-1]],
            conditions,
            mask,
            to_motion=contexts[Stream.MUSIC],
            to_music=contexts[Stream.MOTION],
        )
        parts = {Stream.MUSIC: music_hidden, Stream.MOTION: motion_hidden}
        logits = {  # only the streams the task predicts: a given stream's heads would be computed for nothing
            stream: self.aligned_logits(stream, part, num_frames)
            for stream, part in parts.items()
            if spec.generates(stream)
        }
        return StreamLogits(music=logits.get(Stream.MUSIC), motion=logits.get(Stream.MOTION))

    def aligned_logits(self, stream: Stream, hidden: torch.Tensor, num_frames: int) -> torch.Tensor:
        """Logits ``[B, K, T, card]`` aligned with ``stream``'s codes from its final hidden states
        ``[B, T + K - 1, D]``: each codebook's head on only the steps that predict its codes (the same values
        as :meth:`DelayPattern.revert_logits` of :meth:`stream_logits`, without computing, or back-propagating
        through, the logits it drops)."""
        heads = self.stream_heads(stream)
        steps = [self.pattern.logit_steps(k, num_frames) for k in range(len(heads))]
        return torch.stack([head(hidden[:, step]) for head, step in zip(heads, steps, strict=True)], dim=1)

    def music_logits(
        self, sequence: torch.Tensor, condition_states: torch.Tensor, condition_mask: torch.Tensor
    ) -> torch.Tensor:
        """MusicGen's interface: the delay-pattern sequence ``[B, K, S]`` as MusicGen reads it (``input_ids``
        reshaped to ``[B*K, S]``), description states ``[B, L, condition_dim]`` and mask ``[B, L]`` → music
        logits ``[B, K, S, card]`` (causal music stream only)."""
        _batch, _, length = sequence.shape
        no_text = condition_states[:, :0]
        conditions = Conditions(condition_states, condition_mask, no_text, condition_mask[:, :0])
        empty = sequence[..., :0]
        positions = torch.arange(length, device=sequence.device)
        mask = two_stream_mask(length, 0, Visibility.NONE, Visibility.NONE, sequence.device)
        music, _ = self.hidden_states(sequence, positions, empty, positions[:0], conditions, mask)
        return self.stream_logits(Stream.MUSIC, music)

    @classmethod
    def from_musicgen(
        cls,
        model_or_directory: nn.Module | str | Path,
        copy_music_to_motion: bool = True,
        tokenizer: Any = None,
        **settings: Any,
    ) -> MusicMotionLM:
        """A joint LM that starts as a transformers MusicGen.

        A whole MusicGen (``MusicgenForConditionalGeneration`` or a local directory of one, tokenizer
        files beside the weights) gives the music stream, its frozen T5 encoder and tokenizer, and
        ``enc_to_dec_proj`` as the (trainable) projection of the description states;
        ``encode_descriptions`` then gives the states MusicGen's decoder reads, and the null description
        is MusicGen's unconditional branch. A bare decoder (``MusicgenForCausalLM``) gives the music stream
        only, with mumo's byte-level description encoder.
        The motion stream's parts are copies of the music parts or fresh (``copy_music_to_motion``).

        Args:
            model_or_directory: the MusicGen model or its local directory.
            copy_music_to_motion: motion embeddings, feed-forward blocks, norms and heads start as copies.
            tokenizer: the T5 tokenizer of an in-memory whole MusicGen (a directory's own is read from it).
            settings: the training's fields of the config, not MusicGen's
                (:data:`~mumo.lm.musicgen_import.TRAINING_SETTINGS`: ``dropout``, ``layout`` and the layers
                of the stream contexts, which start fresh).

        Raises:
            CheckpointError: a source tensor mumo cannot place, or a missing/mis-shaped one (all listed).
            ValueError: a setting MusicGen fixes.
        """

        parts = read_musicgen(model_or_directory, tokenizer)
        config = config_from_musicgen(parts, **settings)
        text_encoder = None
        if parts.whole is not None:
            text_encoder = T5TextEncoder(parts.whole.text_encoder, parts.tokenizer, config.condition_dim)
        model = cls(config, text_encoder)
        import_musicgen(model, parts, copy_music_to_motion)
        return model

    # --------------------------------------------------------- persistence
    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``config.json`` and ``model.safetensors`` into ``directory`` (:mod:`mumo.weights`)."""
        return save_model_folder(directory, self.config.to_dict(), self)

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> MusicMotionLM:
        """Load a model saved with :meth:`save_pretrained`; any missing, unexpected or mis-shaped tensor, and
        a config.json with unknown fields or values (an unknown ``layout`` names the allowed ones), is a
        :class:`~mumo.errors.CheckpointError`."""
        try:
            config = LMConfig(**read_config_file(directory, "LM"))
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{directory}: its config.json does not describe an LM ({exc})") from None
        model = cls(config)
        load_weights_file(directory, model, "LM")
        return model


def _stream_context(dim: int, num_layers: int) -> StreamContext | None:
    return StreamContext(dim, num_layers) if num_layers else None


def _lookahead_context(config: LMConfig, num_layers: int) -> StreamContext | None:
    """The lookahead twin of a causal context of ``num_layers`` (none without it or ``context_lookahead``)."""
    return (
        StreamContext(config.dim, num_layers, lookahead=True)
        if config.context_lookahead and num_layers
        else None
    )


def _plus(inputs: torch.Tensor, added: torch.Tensor | None) -> torch.Tensor:
    """``inputs`` ``[B, Q, D]`` plus ``added`` (cast to their dtype), or unchanged without it."""
    return inputs if added is None else inputs + added.to(inputs.dtype)


def _code_embeddings(tokens: torch.Tensor, tables: nn.ModuleList) -> torch.Tensor:
    """Summed code embeddings ``[B, Q, D]`` of pattern tokens ``[B, K, Q]``."""
    return sum(table(tokens[:, k]) for k, table in enumerate(tables))


def _text_heads(dim: int) -> int:
    return next(h for h in (8, 4, 2, 1) if dim % h == 0)
