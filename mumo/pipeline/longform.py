"""Generation longer than the model's training window, by windowed continuation.

The sequence is cut into windows of at most ``window`` frames. The first window is generated as usual; every
later one starts ``window - context`` frames after the previous one and is prompted with the codes already
generated in its first ``context`` frames (its generated streams continue them: the ``prompt_frames`` of
:func:`~mumo.lm.generate`; a given stream, such as the music of ``music2motion``, is simply cut to the
window). The windows are joined in code space, so the decoded signal runs through the boundaries without a
cut::

    frames   0 ............................................................. T
    window 1 [=================)
    window 2            [ctx====|==========)
    window 3                             [ctx====|==========)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from mumo.lm import GenerationResult, MusicMotionLM, Stream, Task, generate
from mumo.lm.tasks import task_spec


def window_starts(num_frames: int, window: int, context: int) -> list[int]:
    """First frame of every window covering ``num_frames`` frames (the last one ends at ``num_frames``)."""
    if window <= 0 or not 0 <= context < window:
        raise ValueError(f"need 0 <= context < window, got context {context}, window {window}")
    if num_frames <= window:
        return [0]
    stride = window - context
    starts = list(range(0, num_frames - window, stride))
    return [*starts, num_frames - window]


def generate_long(
    model: MusicMotionLM,
    task: Task | str,
    num_frames: int,
    window: int,
    context: int,
    music_codes: torch.Tensor | None = None,
    motion_codes: torch.Tensor | None = None,
    batch_size: int = 1,
    seed: int = 0,
    on_progress: Callable[[float], None] | None = None,
    **sampling: Any,
) -> GenerationResult:
    """Sample ``num_frames`` frames of the streams ``task`` generates, window by window.

    Args:
        window: frames generated at once (the model's training window).
        context: frames of the previous window that prompt the next one.
        music_codes, motion_codes: ``[B, K, num_frames]`` codes of the given stream, if any.
        seed: seed of the first window; window ``i`` uses ``seed + i``.
        on_progress: called with the fraction done (0–1) after each decoding step.
        sampling: further arguments of :func:`mumo.lm.generate` (descriptions, guidance, top-k, ...).

    Returns:
        codes ``[B, K, num_frames]`` of both streams (given ones as given).
    """
    task = Task(task)
    spec = task_spec(task, model.config.layout)
    given = {Stream.MUSIC: music_codes, Stream.MOTION: motion_codes}
    device = next(model.parameters()).device
    batch = next((c.shape[0] for c in given.values() if c is not None), batch_size)
    k = model.config.num_codebooks
    out = {
        stream: torch.zeros(batch, k, num_frames, dtype=torch.long, device=device)
        for stream in Stream
        if spec.generates(stream)
    }
    starts = window_starts(num_frames, window, context)
    done = 0
    for index, start in enumerate(starts):
        stop = min(start + window, num_frames)
        on_step = None
        if on_progress is not None:

            def on_step(step: int, steps: int, index: int = index) -> None:
                on_progress((index + step / steps) / len(starts))

        prompt = done - start  # frames of this window already generated: they prompt it
        inputs: dict[Stream, torch.Tensor | None] = {}
        for stream in Stream:
            if stream in out:
                inputs[stream] = out[stream][..., start:done] if prompt else None
            elif spec.has(stream):
                inputs[stream] = given[stream][..., start:stop]  # type: ignore[index]
            else:
                inputs[stream] = None
        result = generate(
            model, task, num_frames=stop - start, music_codes=inputs[Stream.MUSIC],
            motion_codes=inputs[Stream.MOTION], batch_size=batch, prompt_frames=prompt, seed=seed + index,
            on_step=on_step, **sampling,
        )  # fmt: skip
        for stream, target in out.items():
            target[..., done:stop] = result.codes(stream)[..., prompt:]  # type: ignore[index]
        done = stop
    return GenerationResult(
        music_codes=out.get(Stream.MUSIC, music_codes),
        motion_codes=out.get(Stream.MOTION, motion_codes),
        task=task,
    )
