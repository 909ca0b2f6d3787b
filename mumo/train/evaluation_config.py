"""The ``evaluation`` section of a training config: when and how a stage is evaluated (a plain schema,
importable without Lightning or the metrics)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mumo import checks

SUITES = ("dance", "music")
"""Evaluation suites: ``dance`` (music → dance) and ``music`` (descriptions → music)."""


@dataclass
class EvaluationSection:
    """When and how a stage is evaluated (``every_n_epochs = 0`` turns periodic evaluation off).

    Attributes:
        every_n_epochs: evaluate after every N-th epoch.
        suites: ``dance`` (music → dance) and/or ``music`` (descriptions → music).
        guidance_scales, seeds: one evaluation per (scale, seed).
        split: token-store split whose clips are generated for.
        num_clips: clips per evaluation (the first ones of the split at least ``clip_s`` long).
        clip_s: seconds generated per clip (``dance``).
        music_task: task the ``music`` suite generates with (``joint`` or ``music``); it must be one the stage
            trains (checked when the config loads).
        music_clip_s: seconds of music generated per clip (``music``).
        music_prompts: a ``prompts.jsonl`` (``mumo prepare musiccaps``) whose first ``num_clips`` captions, in
            file order, the ``music`` suite generates from instead of the evaluated clips' own (``None``: the
            clips'); its Fréchet distances then compare with the clips' music as a pool and its paired KL
            divergences are not computed (see :mod:`mumo.train.evaluation`).
        music_from_dance: the ``music`` suite also makes music for each clip's dance (``motion2music``, the
            stage must train it) and scores its beats against the dance's, own dance vs. shuffled.
        top_k, temperature: sampling.
        stream_guidance: guidance also drops the given stream (music for dances, the dance for music), see
            :func:`mumo.lm.generate`; the stage must train the ``motion`` / ``music`` task for it.
        bootstrap: resamples for the 95 % intervals of FID/Div (0 = none).
        render_samples: sample videos written per dance evaluation (0 = none).
    """

    every_n_epochs: int = 0
    suites: list[str] = field(default_factory=lambda: ["dance"])
    guidance_scales: list[float] = field(default_factory=lambda: [4.0])
    seeds: list[int] = field(default_factory=lambda: [0])
    split: str = "val"
    num_clips: int = 16
    clip_s: float = 5.0
    music_task: Literal["joint", "music"] = "joint"
    music_clip_s: float = 10.0
    music_prompts: str | None = None
    music_from_dance: bool = False
    top_k: int = 250
    temperature: float = 1.0
    stream_guidance: bool = False
    bootstrap: int = 0
    render_samples: int = 2

    def __post_init__(self) -> None:
        checks.integer(self.render_samples, "evaluation.render_samples (videos per evaluation)", minimum=0)
        unknown = set(self.suites) - set(SUITES)
        if unknown:
            raise ValueError(f"unknown evaluation suites {sorted(unknown)}; choose from {list(SUITES)}")
