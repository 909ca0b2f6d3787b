"""Sampling from the joint LM with a key/value cache and classifier-free guidance.

A generation runs in five parts:

* conditioning and guidance (:func:`_condition`, :class:`_Guidance`): the descriptions are encoded, the
  batch doubled for classifier-free guidance, and the self-attention masks built from the task's training
  mask. The second half of the batch uses the null descriptions and identical tokens;
  ``logits = uncond + scale * (cond - uncond)`` per generated stream. With ``stream_guidance`` the second
  half also does not see the given stream (``music2motion``: motion attends to no music, the ``motion``
  task's layout; ``motion2music`` the mirror image), so guidance amplifies what the music (or dance) changes
  in the prediction, not only what the descriptions change.
* per-stream state (:func:`_stream_states`, :class:`_StreamState`): each stream's delay-pattern sequence
  under construction and which of its positions are fixed (special tokens, a given stream, the prompt of a
  continuation).
* the feeding plan (:class:`_FeedingPlan`): a given stream that never attends to the generated one (music in
  ``music2motion``, motion in ``motion2music``) is fed whole first (prefill); then each pass feeds one new
  pattern step of every other stream (two tokens in ``joint``). The cache slots follow this order, and the
  self-attention rows of every pass are cut from the same full mask that training uses for the task, so
  cached generation sees exactly what training saw.
* one decoding step (:class:`_Decoder`): the model runs a pass against the cache (eagerly, or compiled, see
  :mod:`mumo.lm.decoding`), or recomputes the whole prefix fed so far (``use_cache=False``, the reference
  path), and returns the logits of the positions the pass fed; the prefix is never recomputed with the cache.
* sampling (:class:`_Sampler`): guidance mix, vocabulary limit and :func:`~mumo.lm.sampling.sample_next`
  give the next pattern step of each generated stream, written where its positions are not fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch

from mumo.lm.decoding import CompiledDecoder, compiled_decoder
from mumo.lm.layers import KVCache
from mumo.lm.masks import Visibility, two_stream_mask
from mumo.lm.model import Conditions, MusicMotionLM
from mumo.lm.sampling import sample_next, sampling_generator
from mumo.lm.stream_context import StreamContextSteps
from mumo.lm.streams import Stream
from mumo.lm.tasks import Task, TaskSpec, task_spec


@dataclass(frozen=True)
class GenerationResult:
    """Codes ``[B, K, T]`` of both streams (given ones returned as given; ``None`` where absent)."""

    music_codes: torch.Tensor | None
    motion_codes: torch.Tensor | None
    task: Task

    def codes(self, stream: Stream) -> torch.Tensor | None:
        """The codes ``[B, K, T]`` of ``stream`` (``None`` where absent)."""
        return self.music_codes if stream is Stream.MUSIC else self.motion_codes


@torch.no_grad()
def generate(
    model: MusicMotionLM,
    task: Task | str,
    num_frames: int,
    music_codes: torch.Tensor | None = None,
    motion_codes: torch.Tensor | None = None,
    music_descriptions: Sequence[str] | None = None,
    motion_descriptions: Sequence[str] | None = None,
    batch_size: int | None = None,
    prompt_frames: int = 0,
    guidance_scale: float = 1.0,
    temperature: float = 1.0,
    top_k: int = 250,
    top_p: float = 0.0,
    seed: int = 0,
    stream_guidance: bool = False,
    use_cache: bool = True,
    compile: bool | str = False,
    music_vocab_size: int | None = None,
    motion_vocab_size: int | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Sample the streams ``task`` generates, with the masks of the model's attention layout
    (``model.config.layout``, the one it was trained with).

    Args:
        task: ``joint``, ``music2motion``, ``motion2music``, ``music`` or ``motion``.
        num_frames: length ``T`` of the generated codes, frames (at the tokenizers' frame rate).
        music_codes, motion_codes: ``[B, K, T']`` given codes. Of a stream the task does not generate: the
            conditioning stream, kept whole (cut or zero-padded to ``T`` frames). Of a generated stream: a
            prompt, continued from its first ``prompt_frames`` frames (the frames after them are sampled).
        music_descriptions, motion_descriptions: ``B`` texts each (default: ``""`` = the null condition).
        batch_size: ``B`` when neither codes nor descriptions are given (else it must agree with them).
        prompt_frames: continuation: the first ``prompt_frames`` frames of every generated stream are kept
            as given in its codes, the rest is sampled (``0``: everything is sampled).
        guidance_scale: classifier-free guidance scale (1 = off).
        temperature, top_k, top_p: sampling (``temperature = 0``: greedy).
        seed: seed of the sampling generator.
        stream_guidance: the unconditional branch of guidance also drops the given stream of
            ``music2motion`` / ``motion2music`` (the model must have been trained on the ``motion`` /
            ``music`` task too).
        use_cache: ``False`` recomputes the whole prefix at every step (reference path).
        compile: run the decoding steps compiled with ``torch.compile`` (``True``: inductor, with CUDA graphs
            on a GPU; a string: that ``torch.compile`` backend, e.g. ``"aot_eager"`` where no compiler is
            installed). Same tokens as eager; the first generation of a shape (batch, length, description
            length) compiles, later ones reuse it (see :mod:`mumo.lm.decoding`).
        music_vocab_size, motion_vocab_size: sample only codes below these (a stream's tokenizer may have
            fewer codes than the model's cardinality).
        on_step: called as ``on_step(done, total)`` after each decoding step (progress display).

    Raises:
        ValueError: codes, descriptions and ``batch_size`` disagree on ``B``; no codes of the stream the task
            is given (``music_codes`` for ``music2motion``, ``motion_codes`` for ``motion2music``);
            ``prompt_frames`` outside ``[0, T]``, without codes of a generated stream or beyond their length;
            codes of a generated stream without ``prompt_frames``; ``stream_guidance`` on a task without a
            given stream.
    """
    task = Task(task)
    spec = task_spec(task, model.config.layout)
    given = {Stream.MUSIC: music_codes, Stream.MOTION: motion_codes}
    descriptions = {Stream.MUSIC: music_descriptions, Stream.MOTION: motion_descriptions}
    batch = _batch_size(given.values(), descriptions.values(), batch_size)
    states = _stream_states(model, spec, given, batch, num_frames, prompt_frames)
    length = model.pattern.input_length(num_frames)
    guidance = _condition(model, task, spec, batch, descriptions, guidance_scale, stream_guidance, length)
    plan = _FeedingPlan(states, spec, guidance.masks, length)
    decode = _Decoder(model, plan, guidance, states, use_cache, compile)
    vocab_sizes = {Stream.MUSIC: music_vocab_size, Stream.MOTION: motion_vocab_size}
    generator = sampling_generator(seed, guidance.masks.device)
    sample = _Sampler(guidance, temperature, top_k, top_p, generator, vocab_sizes)
    for done, feed in enumerate(plan.passes, start=1):
        logits = decode(feed)
        for stream, steps in feed.steps.items():
            if states[stream].generated:  # the last step fed predicts the next one
                sample(stream, states[stream], logits[stream][:, :, -1], steps.stop)
        if on_step is not None:
            on_step(done, len(plan.passes))
    codes = {stream: model.pattern.revert(state.sequence, num_frames) for stream, state in states.items()}
    return GenerationResult(codes.get(Stream.MUSIC), codes.get(Stream.MOTION), task)


def _batch_size(
    codes: Iterable[torch.Tensor | None], descriptions: Iterable[Sequence[str] | None], batch_size: int | None
) -> int:
    """``B``: the batch of the given codes and descriptions, else ``batch_size`` (default 1).

    Raises:
        ValueError: they disagree.
    """
    given = [len(c) for c in codes if c is not None] + [len(texts) for texts in descriptions if texts]
    batch = given[0] if given else (batch_size or 1)
    if any(size != batch for size in given) or (batch_size is not None and batch_size != batch):
        raise ValueError(
            f"codes, descriptions and batch_size disagree on the batch size: {given}, {batch_size}"
        )
    return batch


# ------------------------------------------------------------------------------ conditioning and guidance
@dataclass(frozen=True)
class _Guidance:
    """The conditioning of a generation and its classifier-free guidance.

    With guidance (``scale != 1``) every model input has ``B' = 2B`` rows: the first ``B`` conditional, the
    last ``B`` unconditional (null descriptions, same tokens); without it ``B' = B``.

    Attributes:
        conditions: description states of the ``B'`` rows.
        masks: bool ``[H, S', S']`` self-attention masks over the model's sequence
            ``[music steps | motion steps]`` (``S'`` pattern steps of both present streams): the task's
            training mask, and under stream guidance the mask of the unconditional rows after it (``H = 2``).
        batch: ``B``.
        scale: the guidance scale.
        context_rows: per stream whose context the other stream's input reads
            (:meth:`MusicMotionLM.stream_context`): ``[B', 1, 1]``, 1 for the rows that read it, 0 for the
            others (the unconditional rows of stream guidance). A stream is absent where the model has no
            context of it or the task's other stream does not see it.
        spec: the task's spec (how each stream sees the other, which sets what its context reads).
    """

    conditions: Conditions
    masks: torch.Tensor
    batch: int
    scale: float
    context_rows: dict[Stream, torch.Tensor]
    spec: TaskSpec

    @property
    def guided(self) -> bool:
        """Whether guidance is on (``scale != 1``)."""
        return self.scale != 1.0

    @property
    def rows(self) -> int:
        """``B'``, rows of every model input."""
        return 2 * self.batch if self.guided else self.batch

    def double(self, tokens: torch.Tensor) -> torch.Tensor:
        """``tokens`` ``[B, ...]`` for all ``B'`` rows (both halves see the same tokens)."""
        return torch.cat([tokens, tokens]) if self.guided else tokens

    def per_row(self, masks: torch.Tensor) -> torch.Tensor:
        """The self-attention mask of a pass from rows and columns ``[H, Q, N]`` of :attr:`masks`: ``[Q, N]``
        when every row of the batch uses the same one (``H = 1``), else ``[H * B, 1, Q, N]`` (stream
        guidance: the conditional half of the batch the first, the unconditional half the second)."""
        if len(masks) == 1:
            return masks[0]
        return masks.repeat_interleave(self.batch, dim=0)[:, None]

    def whole_context(self, model: MusicMotionLM, stream: Stream, sequence: torch.Tensor) -> torch.Tensor:
        """The context ``[B', S, D]`` the other stream reads of ``stream``'s pattern sequence ``[B, K, S]``
        in this task (with the lookahead where it sees ``stream`` whole), times its :attr:`context_rows` (a
        stream the task reads the context of).

        Raises:
            ValueError: the model has no context of ``stream``.
        """
        seen = self.spec.sees_other(stream.other)
        context = model.stream_context(stream, self.double(sequence), seen)
        if context is None:
            raise ValueError(f"the model has no {stream.value} context")
        return context * self.context_rows[stream]

    def mix(self, logits: torch.Tensor) -> torch.Tensor:
        """Guided logits ``[B, ...]`` from the logits ``[B', ...]`` of both halves:
        ``uncond + scale * (cond - uncond)`` (unchanged without guidance)."""
        if not self.guided:
            return logits
        cond, uncond = logits[: self.batch], logits[self.batch :]
        return uncond + self.scale * (cond - uncond)


def _condition(
    model: MusicMotionLM,
    task: Task,
    spec: TaskSpec,
    batch: int,
    descriptions: dict[Stream, Sequence[str] | None],
    scale: float,
    stream_guidance: bool,
    length: int,
) -> _Guidance:
    """Encode the ``descriptions`` of each stream's modality (``B`` texts, or ``None``) and build the masks
    of a generation of ``task`` reading ``length`` pattern steps per present stream.

    A modality whose description does not condition the task (or without descriptions) gets the null
    description; guidance appends ``B`` null descriptions of each modality.

    Raises:
        ValueError: ``stream_guidance`` with guidance on a task without a given stream.
    """
    guided = scale != 1.0
    described = {Stream.MUSIC: spec.music_description, Stream.MOTION: spec.motion_description}
    texts = [
        (list(descriptions[stream] or [""] * batch) if described[stream] else [""] * batch)
        + ([""] * batch if guided else [])
        for stream in Stream
    ]
    conditions = model.encode_descriptions(*texts)
    music_len, motion_len = (length if spec.has(stream) else 0 for stream in Stream)
    device = conditions.music_states.device
    masks = two_stream_mask(music_len, motion_len, spec.music_sees_motion, spec.motion_sees_music)
    masks = masks.to(device)[None]
    if guided and stream_guidance:
        masks = torch.cat([masks, _stream_guidance_mask(task, music_len, motion_len, device)[None]])
    rows = torch.ones(2 * batch if guided else batch, 1, 1, device=device)
    if guided and stream_guidance:
        rows[batch:] = 0.0
    read = [
        s
        for s in Stream
        if model.context_module(s) is not None and spec.sees_other(s.other) != Visibility.NONE
    ]
    return _Guidance(conditions, masks, batch, scale, {stream: rows for stream in read}, spec)


def _stream_guidance_mask(task: Task, music_len: int, motion_len: int, device: torch.device) -> torch.Tensor:
    """The full self-attention mask of the unconditional branch under stream guidance: both streams causal
    over themselves, neither sees the other."""
    if task not in (Task.MUSIC2MOTION, Task.MOTION2MUSIC):
        raise ValueError(
            f"stream guidance needs a given stream (music2motion or motion2music), not {task.value}"
        )
    return two_stream_mask(music_len, motion_len, Visibility.NONE, Visibility.NONE, device)


# ------------------------------------------------------------------------------------- per-stream state
@dataclass(frozen=True)
class _StreamState:
    """One stream's pattern sequence under construction.

    Attributes:
        sequence: ``[B, K, S]`` delay-pattern tokens (``S = T + K``); sampled steps are written in place.
        generated: whether the task samples this stream (else it is given).
        fixed: bool ``[K, S]``: positions kept as they are (special tokens, a given stream, prompt frames).
    """

    sequence: torch.Tensor
    generated: bool
    fixed: torch.Tensor

    def write(self, step: int, codes: torch.Tensor) -> None:
        """Write ``codes`` ``[B, K]`` into pattern step ``step`` wherever it is not fixed."""
        kept = self.sequence[:, :, step]
        self.sequence[:, :, step] = torch.where(self.fixed[None, :, step], kept, codes)


def _stream_states(
    model: MusicMotionLM,
    spec: TaskSpec,
    given: dict[Stream, torch.Tensor | None],
    batch: int,
    num_frames: int,
    prompt_frames: int,
) -> dict[Stream, _StreamState]:
    """The state of every stream of ``spec`` (in layout order) from the ``given`` codes ``[B, K, T']``.

    A stream the task does not generate is fixed whole from its codes. A generated stream keeps its first
    ``prompt_frames`` frames from its codes and is sampled after them.

    Raises:
        ValueError: no codes of the stream the task is given; ``prompt_frames`` outside ``[0, T]``, without
            codes of a generated stream, or beyond their length; codes of a generated stream with
            ``prompt_frames = 0``.
    """
    if not 0 <= prompt_frames <= num_frames:
        raise ValueError(
            f"prompt_frames must be between 0 and num_frames ({num_frames}), got {prompt_frames}"
        )
    states = {}
    for stream in Stream:
        if not spec.has(stream):
            continue
        codes, generated = given[stream], spec.generates(stream)
        if generated:
            _check_prompt(stream, codes, prompt_frames)
        elif codes is None:
            raise ValueError(
                f"{stream.value}_codes are needed: this task is given the {stream.value} stream, it does not "
                "generate it"
            )
        kept = prompt_frames if generated else num_frames
        states[stream] = _stream_state(model, codes, generated, batch, num_frames, kept)
    return states


def _check_prompt(stream: Stream, codes: torch.Tensor | None, prompt_frames: int) -> None:
    """Raise a ``ValueError`` unless the codes of the generated ``stream`` (``None`` where not given) and
    ``prompt_frames`` describe a continuation together: both or neither, enough frames."""
    name = f"{stream.value}_codes"
    if codes is not None and prompt_frames == 0:
        raise ValueError(
            f"{name} of the generated {stream.value} stream are a prompt: give prompt_frames, the number of "
            "its first frames to keep"
        )
    if codes is None and prompt_frames > 0:
        raise ValueError(
            f"prompt_frames={prompt_frames} continues the generated {stream.value} stream: give its first "
            f"frames as {name}"
        )
    if codes is not None and codes.shape[-1] < prompt_frames:
        raise ValueError(f"prompt_frames={prompt_frames} but {name} has only {codes.shape[-1]} frames")


def _stream_state(
    model: MusicMotionLM,
    codes: torch.Tensor | None,
    generated: bool,
    batch: int,
    num_frames: int,
    kept: int,
) -> _StreamState:
    """The state of a stream whose codes ``[B, K, T']`` (cut or zero-padded to ``T``; zeros for ``None``)
    keep their first ``kept`` frames. Codebook ``k`` of step ``s`` holds frame ``s - 1 - k``, so position
    ``(k, s)`` is fixed iff ``s - 1 - k < kept`` or it holds a special token."""
    pattern = model.pattern
    k = model.config.num_codebooks
    device = next(model.parameters()).device
    if codes is None:
        codes = torch.zeros(batch, k, 0, dtype=torch.long, device=device)
    codes = codes[..., :num_frames].to(device)
    codes = torch.cat([codes, codes.new_zeros(batch, k, num_frames - codes.shape[-1])], dim=-1)
    sequence = pattern.build(codes)
    steps = torch.arange(sequence.shape[-1], device=device)
    frame_of_step = steps[None] - 1 - torch.arange(k, device=device)[:, None]
    fixed = ~pattern.valid_steps(num_frames, device) | (frame_of_step < kept)
    return _StreamState(sequence, generated, fixed)


# ------------------------------------------------------------------------------------- the feeding plan
@dataclass(frozen=True)
class _Pass:
    """One model call of a generation: the pattern steps it feeds per stream (streams in layout order)."""

    steps: dict[Stream, range]
    prefill: bool
    """Whether it feeds a given stream whole before the decoding steps."""


class _FeedingPlan:
    """The order in which a generation feeds the pattern steps of its streams to the model.

    Args:
        states: the present streams, in layout order.
        spec: the task's spec.
        masks: bool ``[H, S', S']`` full masks over ``[music steps | motion steps]``
            (:attr:`_Guidance.masks`).
        length: pattern steps read per present stream.

    Attributes:
        passes: first one prefill pass per given stream that never sees the generated one (fed whole), then
            one pass per pattern step feeding that step of every other stream.
        slot_masks: bool ``[H, N, N]``: ``masks`` with rows and columns in feeding order (cache slot ``n``
            holds the ``n``-th position fed; ``N = S'``).
    """

    def __init__(
        self, states: dict[Stream, _StreamState], spec: TaskSpec, masks: torch.Tensor, length: int
    ) -> None:
        prefilled = [
            stream
            for stream, state in states.items()
            if not state.generated and spec.sees_other(stream) == Visibility.NONE
        ]
        decoded = [stream for stream in states if stream not in prefilled]
        self.passes = [_Pass({stream: range(length)}, prefill=True) for stream in prefilled]
        self.passes += [
            _Pass({s: range(step, step + 1) for s in decoded}, prefill=False) for step in range(length)
        ]
        self._offsets = {Stream.MUSIC: 0, Stream.MOTION: length if Stream.MUSIC in states else 0}
        self._device = masks.device
        order = torch.cat([self.positions(feed.steps) for feed in self.passes])
        self.slot_masks = masks[:, order][:, :, order]

    def positions(self, steps: dict[Stream, range]) -> torch.Tensor:
        """Positions ``[Q]`` of ``steps`` in the sequence ``[music steps | motion steps]``, in the order the
        model lays out a pass (music first)."""
        return torch.cat(
            [
                torch.arange(span.start, span.stop, device=self._device) + self._offsets[stream]
                for stream in Stream
                if (span := steps.get(stream)) is not None
            ]
        )


# ------------------------------------------------------------------------------------ one decoding step
class _Decoder:
    """Runs the model on the passes of a plan and returns the logits of the positions each one feeds.

    With the cache (default), a pass writes the keys/values of its positions into their cache slots and
    attends to the slots fed so far through its rows of the plan's slot masks; ``compile`` runs the decoding
    passes through the compiled step of :mod:`mumo.lm.decoding` (whose mask rows span every slot, those not
    yet fed masked out), the prefill passes eagerly. Without the cache (``use_cache=False``) every pass
    recomputes the whole prefix fed so far under the full masks (the reference path).

    Args:
        model: the LM.
        plan: the feeding plan.
        guidance: conditions, masks and rows of the generation.
        states: the present streams, whose sequences the passes read.
        use_cache: run against a key/value cache.
        compile: ``False``, ``True`` (inductor) or a ``torch.compile`` backend (with the cache only).
    """

    def __init__(
        self,
        model: MusicMotionLM,
        plan: _FeedingPlan,
        guidance: _Guidance,
        states: dict[Stream, _StreamState],
        use_cache: bool,
        compile: bool | str,
    ) -> None:
        self._model, self._plan, self._guidance, self._states = model, plan, guidance, states
        device = plan.slot_masks.device
        capacity = plan.slot_masks.shape[-1]
        k = model.config.num_codebooks
        self._empty = torch.zeros(guidance.rows, k, 0, dtype=torch.long, device=device)
        self._steps = torch.arange(capacity, device=device)  # pattern steps, and cache slots
        self._fed = 0  # cache slots written
        self._fed_until = dict.fromkeys(states, 0)  # per stream: steps fed so far (recompute)
        self._compiled: CompiledDecoder | None = None
        if use_cache and compile:
            self._compiled = compiled_decoder(model, "inductor" if compile is True else compile)
        self._contexts = (
            {s: _ContextFeed(model, guidance, s, states[s], capacity) for s in guidance.context_rows}
            if use_cache
            else {}
        )
        self._cache: KVCache | None = None
        if use_cache:
            rows, conditions = guidance.rows, guidance.conditions
            self._cache = (
                self._compiled.cache(rows, capacity, conditions)
                if self._compiled is not None
                else model.new_cache(rows, capacity)
            )

    def __call__(self, feed: _Pass) -> dict[Stream, torch.Tensor]:
        """Logits ``[B', K, Q, card]`` of the ``Q`` steps ``feed`` gives each stream (step ``s`` predicts
        step ``s + 1``)."""
        logits = self._recompute(feed) if self._cache is None else self._cached(feed, self._cache)
        outputs = dict(zip(Stream, logits, strict=True))  # run() returns music, then motion
        # the positions a pass feeds are the last of each stream's outputs
        return {stream: outputs[stream][:, :, -len(span) :] for stream, span in feed.steps.items()}

    def _cached(self, feed: _Pass, cache: KVCache) -> tuple[torch.Tensor, torch.Tensor]:
        """Music and motion logits of the positions of ``feed``, their keys/values written to ``cache``."""
        fed = self._fed
        self._fed = fed + sum(len(span) for span in feed.steps.values())
        run: Callable[..., tuple[torch.Tensor, torch.Tensor]] = self._model.run
        width = self._fed
        if self._compiled is not None and not feed.prefill:
            run, width = self._compiled.step, cache.capacity  # a compiled step sees every slot
        mask = self._guidance.per_row(self._plan.slot_masks[:, fed : self._fed, :width])
        inputs = self._inputs(feed.steps)
        slots = self._steps[fed : self._fed]
        added = {
            stream: context(feed.steps[stream.other])
            for stream, context in self._contexts.items()
            if feed.steps.get(stream.other)
        }
        to_motion, to_music = added.get(Stream.MUSIC), added.get(Stream.MOTION)
        return run(*inputs, self._guidance.conditions, mask, cache, slots, to_motion, to_music)

    def _recompute(self, feed: _Pass) -> tuple[torch.Tensor, torch.Tensor]:
        """Music and motion logits of every step fed so far, ``feed`` included."""
        self._fed_until.update({stream: span.stop for stream, span in feed.steps.items()})
        prefix = {stream: range(stop) for stream, stop in self._fed_until.items()}
        index = self._plan.positions(prefix)
        mask = self._guidance.per_row(self._guidance.masks[:, index][:, :, index])
        added = {}  # the reference path: the training computation over the whole sequence
        for stream in self._guidance.context_rows:
            if prefix.get(stream.other):
                whole = self._guidance.whole_context(self._model, stream, self._states[stream].sequence)
                added[stream] = whole[:, : prefix[stream.other].stop]
        to_motion, to_music = added.get(Stream.MUSIC), added.get(Stream.MOTION)
        return self._model.run(
            *self._inputs(prefix), self._guidance.conditions, mask, None, None, to_motion, to_music
        )

    def _inputs(self, steps: dict[Stream, range]) -> list[torch.Tensor]:
        """The first arguments of :meth:`MusicMotionLM.run` for ``steps``: pattern tokens ``[B', K, Q]`` and
        positions ``[Q]`` of music, then of motion (empty for a stream not fed)."""
        inputs: list[torch.Tensor] = []
        for stream in Stream:
            span = steps.get(stream, range(0))
            tokens = (
                self._guidance.double(self._states[stream].sequence[:, :, span.start : span.stop])
                if span
                else self._empty
            )
            inputs += [tokens, self._steps[span.start : span.stop]]
        return inputs


class _ContextFeed:
    """The context of one stream that a cached generation feeds to the other stream's steps
    (:meth:`MusicMotionLM.stream_context`), times the guidance's ``context_rows``.

    A given stream is known whole, so its context is computed once; a sampled one (joint generation) gets it
    one step at a time (:class:`~mumo.lm.stream_context.StreamContextSteps`), as step ``s`` of the other
    stream is fed in the same pass as its own step ``s``, one step per pass, in order.
    """

    def __init__(
        self, model: MusicMotionLM, guidance: _Guidance, stream: Stream, state: _StreamState, capacity: int
    ) -> None:
        module = model.context_module(stream)
        if module is None or stream not in guidance.context_rows:
            raise ValueError(
                f"a {stream.value} context feed needs a model with that context and rows that read it"
            )
        self._model, self._guidance, self._stream, self._state = model, guidance, stream, state
        self._rows = guidance.context_rows[stream]
        self._whole = None if state.generated else guidance.whole_context(model, stream, state.sequence)
        self._steps = StreamContextSteps(module, len(self._rows), capacity) if state.generated else None

    def __call__(self, span: range) -> torch.Tensor:
        """The context ``[B', len(span), D]`` of steps ``span`` (one step at a time while the stream is
        sampled)."""
        if self._whole is not None:
            return self._whole[:, span.start : span.stop]
        if self._steps is None or len(span) != 1:
            raise ValueError(f"the context of a sampled stream is fed one step at a time, got steps {span}")
        tokens = self._guidance.double(self._state.sequence[:, :, span.start : span.stop])
        return self._steps(self._model.code_embeddings(self._stream, tokens)[:, 0])[:, None] * self._rows


# ---------------------------------------------------------------------------------------------- sampling
@dataclass(frozen=True)
class _Sampler:
    """Draws the next pattern step of a generated stream.

    Attributes:
        guidance: mixes the conditional and unconditional logits.
        temperature, top_k, top_p: see :func:`~mumo.lm.sampling.sample_next`.
        generator: the sampling generator, on the logits' device.
        vocab_sizes: per stream, sample only codes below this (``None``: the model's cardinality).
    """

    guidance: _Guidance
    temperature: float
    top_k: int
    top_p: float
    generator: torch.Generator
    vocab_sizes: dict[Stream, int | None]

    def __call__(self, stream: Stream, state: _StreamState, logits: torch.Tensor, step: int) -> None:
        """Sample pattern step ``step`` of ``state`` (the sequence of ``stream``) from the logits
        ``[B', K, card]`` of step ``step - 1``, and write it where the step is not fixed."""
        logits = self.guidance.mix(logits)
        limit = self.vocab_sizes[stream]
        if limit is not None:
            logits = logits.clone()
            logits[..., limit:] = float("-inf")
        state.write(step, sample_next(logits, self.temperature, self.top_k, self.top_p, self.generator))
