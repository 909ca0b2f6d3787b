"""Sampling from the joint LM with a key/value cache and classifier-free guidance.

Each step feeds one new pattern step per generated stream (two tokens in ``joint``) and reads its logits; the
prefix is never recomputed. A given stream that never attends to the generated one (music in
``music2motion``, motion in ``motion2music``) is fed whole before the loop. The self-attention rows of every
step are cut from the same full mask that training uses for the task, so cached generation sees exactly
what training saw (``use_cache=False`` recomputes the whole prefix at every step instead, for reference).

Classifier-free guidance doubles the batch: the second half uses the null descriptions and identical tokens;
``logits = uncond + scale * (cond - uncond)`` per generated stream. With ``stream_guidance`` the second half
also does not see the given stream (``music2motion``: motion attends to no music, the ``motion`` task's
layout; ``motion2music`` the mirror image), so guidance amplifies what the music (or dance) changes in the
prediction, not only what the descriptions change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from mumo.lm.decoding import compiled_decoder
from mumo.lm.masks import Visibility, two_stream_mask
from mumo.lm.model import MusicMotionLM
from mumo.lm.sampling import sample_next, sampling_generator
from mumo.lm.tasks import Task, task_spec


@dataclass(frozen=True)
class GenerationResult:
    """Codes ``[B, K, T]`` of both streams (given ones returned as given; ``None`` where absent)."""

    music_codes: torch.Tensor | None
    motion_codes: torch.Tensor | None
    task: Task


@dataclass
class _Stream:
    """One stream's pattern sequence under construction."""

    sequence: torch.Tensor  # [B, K, S]
    generated: bool
    known: torch.Tensor  # bool [K, S]: positions fixed before sampling (special, given or prompt codes)


def _stream(
    model: MusicMotionLM, codes: torch.Tensor | None, batch: int, num_frames: int, prompt: int
) -> _Stream:
    pattern = model.pattern
    k = model.config.num_codebooks
    device = next(model.parameters()).device
    if codes is None:
        codes = torch.zeros(batch, k, num_frames, dtype=torch.long, device=device)
        fixed_frames = prompt
    else:
        fixed_frames = num_frames if codes.shape[-1] >= num_frames else codes.shape[-1]
        codes = codes[..., :num_frames].to(device)
        if codes.shape[-1] < num_frames:
            codes = torch.cat([codes, codes.new_zeros(batch, k, num_frames - codes.shape[-1])], dim=-1)
    sequence = pattern.build(codes)
    valid = pattern.valid_steps(num_frames, device)
    steps = torch.arange(sequence.shape[-1], device=device)
    frame_of_step = steps[None] - 1 - torch.arange(k, device=device)[:, None]
    known = ~valid | (frame_of_step < fixed_frames)
    return _Stream(sequence, generated=False, known=known)


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
        music_codes, motion_codes: ``[B, K, T']`` given codes: the conditioning stream, or a prompt of the
            generated stream (continuation: its first ``prompt_frames`` frames are kept).
        music_descriptions, motion_descriptions: ``B`` texts each (default: ``""`` = the null condition).
        batch_size: ``B`` when neither codes nor descriptions are given (else it must agree with them).
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
    """
    task = Task(task)
    spec = task_spec(task, model.config.layout)
    given = [len(c) for c in (music_codes, motion_codes) if c is not None]
    given += [len(texts) for texts in (music_descriptions, motion_descriptions) if texts]
    batch = given[0] if given else (batch_size or 1)
    if any(size != batch for size in given) or (batch_size is not None and batch_size != batch):
        raise ValueError(
            f"codes, descriptions and batch_size disagree on the batch size: {given}, {batch_size}"
        )
    music_descriptions = list(music_descriptions or [""] * batch)
    motion_descriptions = list(motion_descriptions or [""] * batch)
    if not spec.music_description:
        music_descriptions = [""] * batch
    if not spec.motion_description:
        motion_descriptions = [""] * batch

    guided = guidance_scale != 1.0
    conditions = model.encode_descriptions(
        music_descriptions + ([""] * batch if guided else []),
        motion_descriptions + ([""] * batch if guided else []),
    )
    music = _stream(model, music_codes, batch, num_frames, prompt_frames) if spec.music_stream else None
    motion = _stream(model, motion_codes, batch, num_frames, prompt_frames) if spec.motion_stream else None
    if music is not None:
        music.generated = spec.generates_music
    if motion is not None:
        motion.generated = spec.generates_motion

    length = model.pattern.input_length(num_frames)
    music_len = length if music is not None else 0
    motion_len = length if motion is not None else 0
    full_mask = two_stream_mask(music_len, motion_len, spec.music_sees_motion, spec.motion_sees_music)
    device = conditions.music_states.device
    # [H, S, S]: the training mask, and under stream guidance the unconditional half's mask after it
    masks = full_mask.to(device)[None]
    if guided and stream_guidance:
        masks = torch.cat([masks, _stream_guidance_mask(task, music_len, motion_len, device)[None]])
    generator = sampling_generator(seed, device)

    # Queries are fed in "passes": each gives the pattern steps [start, stop) fed per stream. Prefill given
    # streams that never look at the generated stream; then one pass per step of the other streams.
    prefilled = {
        name
        for name, stream, sees in (
            ("music", music, spec.music_sees_motion),
            ("motion", motion, spec.motion_sees_music),
        )
        if stream is not None and not stream.generated and sees == Visibility.NONE
    }
    streams = {"music": music, "motion": motion}
    decoded = [n for n in ("music", "motion") if streams[n] is not None and n not in prefilled]
    passes: list[dict[str, tuple[int, int]]] = [{name: (0, length)} for name in sorted(prefilled)]
    passes += [{n: (s, s + 1) for n in decoded} for s in range(length)]

    rows = 2 * batch if guided else batch
    empty = torch.zeros(rows, model.config.num_codebooks, 0, dtype=torch.long, device=device)
    steps = torch.arange(length, device=device)
    offset = {"music": 0, "motion": music_len}
    # cache slots follow the feeding order; slot_mask is the training mask with rows and columns in that order
    order = torch.cat([steps[a:b] + offset[n] for feed in passes for n, (a, b) in feed.items()])
    slot_masks = masks[:, order][:, :, order]
    slots = torch.arange(len(order), device=device)
    decoder = compiled_decoder(model, "inductor" if compile is True else compile) if compile else None
    cache = None
    if use_cache:
        cache = decoder.cache(rows, len(order), conditions) if decoder else model.new_cache(rows, len(order))
    fed = 0
    fed_until = {"music": 0, "motion": 0}
    for done, feed in enumerate(passes, start=1):
        music_span = feed.get("music", (0, 0))
        motion_span = feed.get("motion", (0, 0))
        fed_until.update({n: stop for n, (_, stop) in feed.items()})
        if use_cache:
            new = fed + (music_span[1] - music_span[0]) + (motion_span[1] - motion_span[0])
            compiled = decoder is not None and done > len(prefilled)  # prefill passes run eagerly
            step = decoder.step if compiled else model.run  # type: ignore[union-attr]
            width = len(order) if compiled else new  # a compiled step sees every slot
            music_logits, motion_logits = step(
                _tokens(music, music_span, guided, empty),
                steps[music_span[0] : music_span[1]],
                _tokens(motion, motion_span, guided, empty),
                steps[motion_span[0] : motion_span[1]],
                conditions,
                _per_row(slot_masks[:, fed:new, :width], batch),
                cache,
                slots[fed:new],
            )
            fed = new
        else:  # the whole prefix again, in the order run() lays it out: music steps, then motion steps
            music_span, motion_span = (0, fed_until["music"]), (0, fed_until["motion"])
            index = torch.cat([steps[: music_span[1]], steps[: motion_span[1]] + music_len])
            music_logits, motion_logits = model.run(
                _tokens(music, music_span, guided, empty),
                steps[: music_span[1]],
                _tokens(motion, motion_span, guided, empty),
                steps[: motion_span[1]],
                conditions,
                _per_row(masks[:, index][:, :, index], batch),
            )
        for name, logits, span in (
            ("music", music_logits, music_span),
            ("motion", motion_logits, motion_span),
        ):
            stream = streams[name]
            if stream is None or not stream.generated or span[1] == span[0]:
                continue
            step_index = span[1] - 1
            if step_index + 1 >= stream.sequence.shape[-1]:
                continue
            last = logits[:, :, -1]
            if guided:
                cond, uncond = last[:batch], last[batch:]
                last = uncond + guidance_scale * (cond - uncond)
            limit = music_vocab_size if name == "music" else motion_vocab_size
            if limit is not None:
                last = last.clone()
                last[..., limit:] = float("-inf")
            sampled = sample_next(last, temperature, top_k, top_p, generator)
            keep = stream.known[:, step_index + 1]
            stream.sequence[:, :, step_index + 1] = torch.where(
                keep[None], stream.sequence[:, :, step_index + 1], sampled
            )
        if on_step is not None:
            on_step(done, len(passes))

    def codes(stream: _Stream | None) -> torch.Tensor | None:
        return None if stream is None else model.pattern.revert(stream.sequence, num_frames)

    return GenerationResult(music_codes=codes(music), motion_codes=codes(motion), task=task)


def _stream_guidance_mask(task: Task, music_len: int, motion_len: int, device: torch.device) -> torch.Tensor:
    """The full self-attention mask of the unconditional branch under stream guidance: both streams causal
    over themselves, neither sees the other."""
    if task not in (Task.MUSIC2MOTION, Task.MOTION2MUSIC):
        raise ValueError(
            f"stream guidance needs a given stream (music2motion or motion2music), not {task.value}"
        )
    return two_stream_mask(music_len, motion_len, Visibility.NONE, Visibility.NONE, device)


def _per_row(masks: torch.Tensor, batch: int) -> torch.Tensor:
    """The self-attention mask of a pass from ``masks`` ``[H, Q, N]``: ``[Q, N]`` when every row of the batch
    uses the same one (``H = 1``), else ``[H * B, 1, Q, N]`` (stream guidance: the conditional half of the
    batch the first, the unconditional half the second)."""
    if len(masks) == 1:
        return masks[0]
    return masks.repeat_interleave(batch, dim=0)[:, None]


def _tokens(stream: _Stream | None, span: tuple[int, int], guided: bool, empty: torch.Tensor) -> torch.Tensor:
    """Pattern tokens ``[B', K, stop - start]`` of steps ``span = (start, stop)`` (doubled for guidance; empty
    when none)."""
    if stream is None or span[1] == span[0]:
        return empty
    tokens = stream.sequence[:, :, span[0] : span[1]]
    return torch.cat([tokens, tokens]) if guided else tokens
