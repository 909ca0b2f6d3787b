"""Periodic evaluation of the joint LM during and after training.

For the clips of one split of the token store, the model generates at every configured guidance scale and
seed; the codes are decoded by the store's tokenizers and scored:

* ``dance``: music → dance on ``clip_s``-second windows. Bailando FID/Div against the ground-truth dances of
  the store's dataset (train split, features cached in ``RUN_DIR/gt_features``), with bootstrap intervals
  when ``bootstrap > 0``; jitter, speed and foot skating; and beat alignment twice: ``beat_align`` scores
  each dance generated from a clip's music against that music, ``beat_align_shuffled`` scores the dance the
  same model generates from *another* clip's music (same description, same seed) against the first clip's
  music. A model that follows the music scores higher on the first. ``beat_phase_locking`` (and its
  ``_shuffled`` twin) asks the same of the phase alone: how consistently the dance's kinematic beats fall at
  one place in the music's beat cycle (:func:`mumo.metrics.beat_align.beat_phase_locking`; 1 = locked at any
  lag; 0.15–0.4 measured for 5-s dances with no phase relation to the music). Where the dataset labels styles,
  ``style_accuracy`` is the fraction of dances a classifier fitted on ground-truth dances assigns the style
  of their music (:mod:`mumo.metrics.style`; ``style_accuracy_gt``: the same classifier on the clips' real
  dances, its ceiling). ``music_gap`` is the teacher-forced motion cross-entropy with shuffled minus own
  music on the validation clips (:mod:`mumo.train.reading_gap`; the evaluation split where there are none),
  with ``motion_ce_own_music`` and the accuracy per motion codebook. ``render_samples`` videos per
  evaluation (generated beside ground truth, with the music) go to ``RUN_DIR/samples``.
* ``music``: descriptions → music with ``music_task`` (a task the stage trains: ``joint`` generates music and
  dance from both descriptions, as the published MusicCaps protocol did; ``music`` the music stream alone) on
  ``music_clip_s``-second clips (MusicCaps: 10 s), scored against the dataset's audio with the ``melstat``
  stand-in (``fd_melstat``, ``kl_melstat``); the published names stay unavailable without real embedder
  weights. The descriptions are the clips' own, or with ``music_prompts`` the captions of a prompt set (the
  first ``num_clips`` prompts of a MusicCaps ``prompts.jsonl``, the dance description left empty). A prompt
  set has no audio, so then the Fréchet distances compare the generated music with the evaluated clips'
  music as a pool (a note on each says so: not the MusicCaps protocol, whose reference is the prompts' own
  audio) and the KL divergences, which pair each generated clip with its own reference, are not computed
  (``None``, with a note). With ``music_from_dance`` the suite also makes music for each clip's dance and
  for another clip's (``music_beat_align`` and its ``_shuffled`` twin) and measures the ``dance_gap``, the
  music gap's mirror (music cross-entropy with shuffled minus own dance, with ``music_ce_own_dance`` and the
  accuracy per music codebook).

Generation and the reading gaps use the model's attention layout (``model.config.layout``), so the model is
sampled the way it was trained. Each (epoch, suite, guidance scale, seed) becomes one line of
``RUN_DIR/metrics.jsonl``.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np
import torch

from mumo.audio import load
from mumo.data.adapters.musiccaps import MusicPrompt, read_prompts
from mumo.data.clips import MOTION_FPS, MUSIC_SAMPLE_RATE, ClipRecord, read_index
from mumo.data.token_store import TokenStore
from mumo.errors import DataError
from mumo.lm import GenerationResult, MusicMotionLM, Task, generate
from mumo.metrics.beat_align import (
    beat_align_score,
    clip_beat_scores,
    motion_beats,
    music_beat_frames,
)
from mumo.metrics.cache import FeatureCache
from mumo.metrics.dance import DanceFeatures, ZeroVarianceWarning, extract_features
from mumo.metrics.dance import evaluate as evaluate_dance
from mumo.metrics.motion_quality import motion_quality
from mumo.metrics.music import AudioEmbedder, evaluate_music, standard_embedders
from mumo.metrics.music.embedder import FD
from mumo.metrics.style import StyleClassifier, windows
from mumo.tokenizers import load_tokenizer
from mumo.train.evaluation_config import EvaluationSection
from mumo.train.metrics_log import EvaluationRecord, save_record
from mumo.train.reading_gap import ReadingGap, reading_gap

log = logging.getLogger(__name__)
Scores = dict[str, float | None]


class SuiteResult(NamedTuple):
    """One suite's scores and notes on them (metric name → why its value should not be read as usual)."""

    scores: Scores
    notes: dict[str, str]


def _blow_up_notes(caught: list[warnings.WarningMessage]) -> dict[str, str]:
    """Notes for the metrics a :class:`ZeroVarianceWarning` concerns; other warnings are passed on."""
    notes = {}
    for warning in caught:
        message = warning.message
        if not isinstance(message, ZeroVarianceWarning):
            warnings.warn_explicit(message, warning.category, warning.filename, warning.lineno)
            continue
        log.warning("%s", message)  # names the dimensions, which vary from one evaluation to the next
        for metric in (f"fid_{message.suffix}", f"div_{message.suffix}"):
            notes[metric] = (
                f"normalisation blow-up: {message.kind} feature dimensions that are constant in the ground "
                "truth (zero variance) vary in the generated clips, so the protocol's value says nothing of "
                "a model"
            )
    return notes


class Decoders(Protocol):
    """Turns generated codes back into signals."""

    def motion_to_joints(self, codes: torch.Tensor) -> np.ndarray:
        """Motion codes ``[B, K, T]`` → joints ``[B, T60, 22, 3]`` at 60 fps, metres."""
        ...

    def music_to_audio(self, codes: torch.Tensor) -> np.ndarray:
        """Music codes ``[B, K, T]`` → waveforms ``[B, 1, N]`` at 32 kHz."""
        ...


class TokenizerDecoders:
    """Decoders from the tokenizers recorded in a token store."""

    def __init__(self, store: TokenStore) -> None:

        self.music = load_tokenizer(store.meta.music.directory)
        self.motion = load_tokenizer(store.meta.motion.directory)

    @torch.no_grad()
    def motion_to_joints(self, codes: torch.Tensor) -> np.ndarray:
        return np.asarray(self.motion.decode_to_joints(codes.cpu()))

    @torch.no_grad()
    def music_to_audio(self, codes: torch.Tensor) -> np.ndarray:
        return self.music.decode(codes.cpu()).float().numpy()


@dataclass(frozen=True)
class EvalClip:
    """A clip generated for: its dataset record and its music and motion codes ``[K, T]`` (``clip_s``
    seconds)."""

    record: ClipRecord
    music_codes: torch.Tensor
    motion_codes: torch.Tensor


@dataclass(frozen=True)
class Evaluator:
    """Everything one evaluation needs besides the model's weights, the guidance scale and the seed."""

    model: MusicMotionLM
    decoders: Decoders
    section: EvaluationSection
    clips: list[EvalClip]
    gap_clips: list[EvalClip]
    dataset: Path
    run_dir: Path
    music_vocab: int
    motion_vocab: int
    frame_rate: float
    """Code frames per second of the store, Hz."""
    prompts: list[MusicPrompt] | None = None
    """What the ``music`` suite generates from (:func:`music_prompts`); ``None``: the clips' captions."""

    def dance(self, scale: float, seed: int, epoch: int) -> SuiteResult:
        """The ``dance`` suite at one guidance scale and seed."""
        clips, section = self.clips, self.section
        result = self._own_and_shuffled(Task.MUSIC2MOTION, scale, seed)
        decoded = list(self.decoders.motion_to_joints(result.motion_codes))
        joints, joints_shuffled = decoded[: len(clips)], decoded[len(clips) :]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ZeroVarianceWarning)
            dance = evaluate_dance(joints, self.ground_truth, bootstrap=section.bootstrap, seed=seed)
        notes = _blow_up_notes(caught)
        scores: Scores = {}
        for name, value in dance.items():
            if isinstance(value, list):  # a 95 % interval [low, high]
                scores[f"{name}_low"], scores[f"{name}_high"] = float(value[0]), float(value[1])
            else:
                scores[name] = float(value)
        beats = [_beat_frames(c.record, section.clip_s) for c in clips]
        scores["beat_align"], scores["beat_phase_locking"] = _mean_beat_scores(joints, beats)
        shuffled = _mean_beat_scores(joints_shuffled, beats)
        scores["beat_align_shuffled"], scores["beat_phase_locking_shuffled"] = shuffled
        scores.update(motion_quality(joints))
        scores.update(self.style_scores(joints))
        scores.update(self.music_gap.as_metrics())
        for index in range(min(section.render_samples, len(clips))):
            name = f"epoch={epoch}_gs{scale:g}_seed{seed}_{clips[index].record.clip_id}.mp4"
            self._render(joints[index], clips[index], self.run_dir / "samples" / name)
        return SuiteResult(scores, notes)

    def music(self, scale: float, seed: int, epoch: int) -> SuiteResult:
        """The ``music`` suite at one guidance scale and seed (``epoch`` only names outputs)."""
        clips, section, prompts = self.clips, self.section, self.prompts
        if prompts is None:
            names = [c.record.clip_id for c in clips]
            music_captions = [c.record.music_caption for c in clips]
            motion_captions: list[str] | None = [c.record.motion_caption for c in clips]
        else:
            names = [p.prompt_id for p in prompts]
            music_captions = [p.caption for p in prompts]
            motion_captions = None  # no dance description: the null condition
        result = generate(
            self.model, Task(section.music_task), num_frames=round(section.music_clip_s * self.frame_rate),
            music_descriptions=music_captions, motion_descriptions=motion_captions, guidance_scale=scale,
            temperature=section.temperature, top_k=section.top_k, seed=seed,
            music_vocab_size=self.music_vocab, motion_vocab_size=self.motion_vocab,
        )  # fmt: skip
        audio = self.decoders.music_to_audio(result.music_codes)
        samples = round(section.music_clip_s * MUSIC_SAMPLE_RATE)
        generated = {name: a[:, :samples] for name, a in zip(names, audio, strict=True)}
        reference = {c.record.clip_id: self._music(c)[:, :samples] for c in clips}
        embedders = standard_embedders()
        scores = evaluate_music(generated, reference, embedders, sample_rate=MUSIC_SAMPLE_RATE)
        kept: Scores = {k: v for k, v in scores.items() if v is None or isinstance(v, float)}
        notes = {} if prompts is None else self._pooled_reference(kept, embedders, len(prompts))
        if section.music_from_dance:
            kept.update(self.dance_to_music(scale, seed))
        return SuiteResult(kept, notes)

    def _pooled_reference(
        self, scores: Scores, embedders: list[AudioEmbedder], num_prompts: int
    ) -> dict[str, str]:
        """Notes on the music scores of ``num_prompts`` prompts, which come without audio: each computed
        Fréchet distance compares with the evaluated clips' music as a pool; each KL divergence, which pairs
        a generated clip with its own reference, is set to ``None`` in ``scores`` (changed in place)."""
        section = self.section
        notes = {}
        for embedder in embedders:
            for kind, name in embedder.metric_names.items():
                if kind == FD and scores[name] is not None:
                    notes[name] = (
                        f"music generated from the first {num_prompts} prompts of {section.music_prompts}, "
                        f"compared with the music of {len(self.clips)} {section.split} clips of the token "
                        "store's dataset as a pool (the prompts have no audio): not the MusicCaps protocol"
                    )
                elif kind != FD:
                    scores[name] = None
                    notes[name] = (
                        f"not computed: it pairs each generated clip with its own reference audio, and the "
                        f"prompts of {section.music_prompts} have none"
                    )
        return notes

    def dance_to_music(self, scale: float, seed: int) -> Scores:
        """Music for each clip's real dance (``motion2music``), scored by how its beats (librosa, as in
        BAS) fall on the dance's kinematic beats: ``music_beat_align`` for the music made from that dance,
        ``music_beat_align_shuffled`` for the music the model makes from another clip's dance (same seed);
        with the teacher-forced ``dance_gap`` (:mod:`mumo.train.reading_gap`). Empty when the dataset has no
        dances for the clips."""
        clips = self.clips
        if any(c.record.joints_path is None for c in clips):
            return {}
        result = self._own_and_shuffled(Task.MOTION2MUSIC, scale, seed)
        audio = self.decoders.music_to_audio(result.music_codes)
        frames = round(self.section.clip_s * MOTION_FPS)
        dances = [motion_beats(np.load(self.dataset / str(c.record.joints_path))[:frames]) for c in clips]
        music = [music_beat_frames(a, MUSIC_SAMPLE_RATE) for a in audio]

        def mean_score(music_beats: list[np.ndarray]) -> float:
            return float(np.mean([beat_align_score(m, d) for m, d in zip(music_beats, dances, strict=True)]))

        return {
            "music_beat_align": mean_score(music[: len(clips)]),
            "music_beat_align_shuffled": mean_score(music[len(clips) :]),
            **self.dance_gap.as_metrics(),
        }

    def _own_and_shuffled(self, task: Task, scale: float, seed: int) -> GenerationResult:
        """``task`` (``music2motion`` or ``motion2music``) from each clip's own given stream, then from the
        given stream of the clip before it (clip i gets clip i - 1's), with clip i's description both times:
        ``2N`` results, own first."""
        section, clips = self.section, self.clips
        to_dance = task is Task.MUSIC2MOTION
        own = torch.stack([c.music_codes if to_dance else c.motion_codes for c in clips])
        given = torch.cat([own, torch.roll(own, shifts=1, dims=0)]).to(next(self.model.parameters()).device)
        descriptions = _generated_descriptions(clips, task) * 2
        streams = (
            {
                "music_codes": given,
                "motion_descriptions": descriptions,
                "motion_vocab_size": self.motion_vocab,
            }
            if to_dance
            else {
                "motion_codes": given,
                "music_descriptions": descriptions,
                "music_vocab_size": self.music_vocab,
            }
        )
        return generate(
            self.model, task, num_frames=given.shape[-1], guidance_scale=scale,
            temperature=section.temperature, top_k=section.top_k, seed=seed,
            stream_guidance=section.stream_guidance, **streams,
        )  # fmt: skip

    @cached_property
    def ground_truth(self) -> DanceFeatures:
        """Features of the dataset's train-split dances: read once per evaluation (every suite, scale and
        seed compares against them), computed once per run (cached in ``RUN_DIR/gt_features``)."""
        records = read_index(self.dataset, "train")
        paths = [self.dataset / r.joints_path for r in records if r.joints_path]
        return FeatureCache(self.run_dir / "gt_features").features([np.load(p) for p in paths])

    @cached_property
    def music_gap(self) -> ReadingGap:
        """The music gap of the model on ``gap_clips`` (teacher forced: the same for every scale and seed)."""
        return self._reading_gap(Task.MUSIC2MOTION)

    @cached_property
    def dance_gap(self) -> ReadingGap:
        """The dance gap of the model on ``gap_clips`` (teacher forced: the same for every scale and seed)."""
        return self._reading_gap(Task.MOTION2MUSIC)

    def _reading_gap(self, task: Task) -> ReadingGap:
        clips = self.gap_clips
        music = torch.stack([c.music_codes for c in clips])
        motion = torch.stack([c.motion_codes for c in clips])
        return reading_gap(self.model, task, music, motion, _generated_descriptions(clips, task))

    @cached_property
    def style_reference(self) -> tuple[StyleClassifier, float] | None:
        """A style classifier fitted on ``clip_s``-second windows (hop ``clip_s / 2``) of the train-split
        dances, with its accuracy on the evaluated clips' real dances (first ``clip_s`` seconds: the ceiling
        of ``style_accuracy``, the same for every scale and seed); ``None`` when the dataset does not label
        the styles of those and of the evaluated clips."""
        if any(c.record.style is None for c in self.clips):
            return None
        records = [r for r in read_index(self.dataset, "train") if r.joints_path and r.style]
        length = round(self.section.clip_s * MOTION_FPS)
        clips, labels = [], []
        for record in records:
            cut = windows(np.load(self.dataset / record.joints_path), length, max(length // 2, 1))
            clips += cut
            labels += [str(record.style)] * len(cut)
        if len(set(labels)) < 2:
            return None
        cache = FeatureCache(self.run_dir / "gt_features")
        classifier = StyleClassifier.fit(cache.features(clips).kinetic, labels)
        truth = [np.load(self.dataset / str(c.record.joints_path))[:length] for c in self.clips]
        ceiling = classifier.accuracy(
            cache.features(truth).kinetic, [str(c.record.style) for c in self.clips]
        )
        return classifier, ceiling

    def style_scores(self, joints: list[np.ndarray]) -> Scores:
        """``style_accuracy`` of generated dances ``[T, J, 3]`` (one per clip) and ``style_accuracy_gt`` of
        the clips' real dances; empty when styles are not labelled."""
        if self.style_reference is None:
            return {}
        classifier, ceiling = self.style_reference
        labels = [str(c.record.style) for c in self.clips]
        generated = extract_features(joints).kinetic
        return {"style_accuracy": classifier.accuracy(generated, labels), "style_accuracy_gt": ceiling}

    def _music(self, clip: EvalClip) -> np.ndarray:
        return load(self.dataset / str(clip.record.music_path), MUSIC_SAMPLE_RATE)

    def _render(self, joints: np.ndarray, clip: EvalClip, path: Path) -> None:
        from mumo.motion.render import render_video

        seconds = self.section.clip_s
        audio = self._music(clip)[:, : round(seconds * MUSIC_SAMPLE_RATE)]
        truth = None
        if clip.record.joints_path:
            truth = np.load(self.dataset / clip.record.joints_path)[: round(seconds * MOTION_FPS)]
        title = f"{clip.record.style or clip.record.clip_id}: generated | ground truth"
        render_video(path, joints, audio=audio, ground_truth=truth, title=title)


def _generated_descriptions(clips: list[EvalClip], task: Task) -> list[str]:
    """The clips' descriptions of the stream ``task`` generates from the other (``music2motion``: the dance's,
    ``motion2music``: the music's)."""
    return [c.record.motion_caption if task is Task.MUSIC2MOTION else c.record.music_caption for c in clips]


def _beat_frames(record: ClipRecord, clip_s: float) -> np.ndarray:
    times = np.asarray(record.beat_times_s)
    return np.round(times[times < clip_s] * MOTION_FPS).astype(np.int64)


def _mean_beat_scores(joints: list[np.ndarray], beats: list[np.ndarray]) -> tuple[float, float]:
    """Mean beat align score and mean beat phase locking of the dances against their clips' beats."""
    align, locking = np.mean([clip_beat_scores(j, b) for j, b in zip(joints, beats, strict=True)], axis=0)
    return float(align), float(locking)


def evaluation_clips(store: TokenStore, section: EvaluationSection) -> tuple[list[EvalClip], Path]:
    """The first ``num_clips`` clips of ``section.split`` at least ``clip_s`` long, and the dataset root.

    Raises:
        DataError: the store names no dataset, or fewer than 2 clips qualify.
    """
    if not store.meta.source:
        raise DataError(
            f"{store.root}: the token store does not name its dataset, so there is no ground truth"
        )
    dataset = Path(store.meta.source)
    records = {r.clip_id: r for r in read_index(dataset)}
    frames = round(section.clip_s * store.frame_rate)
    lengths = store.lengths()
    clips = []
    for row in store.indices(section.split):  # type: ignore[arg-type]
        clip_id = store.text(int(row), "clip_id")
        if lengths[row] < frames or clip_id not in records:
            continue
        music, motion = store.codes(int(row), 0, frames)
        clips.append(EvalClip(records[clip_id], torch.from_numpy(music), torch.from_numpy(motion)))
        if len(clips) == section.num_clips:
            break
    if len(clips) < 2:
        raise DataError(
            f"fewer than 2 {section.split} clips of {section.clip_s} s in {store.root} to evaluate; "
            "lower evaluation.clip_s or choose another evaluation.split"
        )
    return clips, dataset


def music_prompts(section: EvaluationSection) -> list[MusicPrompt] | None:
    """The prompts the ``music`` suite generates from: the first ``num_clips`` of ``section.music_prompts``
    in file order (the same on every run), or ``None`` when it is not set or the suite is not run.

    Raises:
        DataError: the file is missing or malformed, or holds fewer than 2 prompts.
    """
    if section.music_prompts is None or "music" not in section.suites:
        return None
    prompts = read_prompts(section.music_prompts)[: section.num_clips]
    if len(prompts) < 2:
        raise DataError(
            f"{section.music_prompts}: {len(prompts)} prompt(s); the music suite needs at least 2 "
            "(its Fréchet distances compare sets)"
        )
    return prompts


def evaluate_model(
    model: MusicMotionLM,
    store: TokenStore,
    decoders: Decoders,
    section: EvaluationSection,
    epoch: int,
    run_dir: Path,
    stage: str = "",
) -> list[EvaluationRecord]:
    """Generate, decode and score with the model's attention layout (``model.config.layout``); save every
    record in ``RUN_DIR/metrics.jsonl`` and return them."""
    prompts = music_prompts(section)  # a prompt file that cannot be used fails here, before generating
    clips, dataset = evaluation_clips(store, section)
    gap_clips = clips
    if section.split != "val":
        try:
            gap_clips, _ = evaluation_clips(store, replace(section, split="val"))
        except DataError:  # fewer than 2 validation clips of clip_s seconds: measured on the evaluated ones
            log.info("music gap measured on the %s clips (too few validation clips)", section.split)
    evaluator = Evaluator(
        model, decoders, section, clips, gap_clips, dataset, Path(run_dir), store.meta.music.cardinality,
        store.meta.motion.cardinality, store.frame_rate, prompts,
    )  # fmt: skip
    suite_runs = {"dance": evaluator.dance, "music": evaluator.music}
    was_training = model.training
    model.eval()
    records = []
    try:
        for scale in section.guidance_scales:
            for seed in section.seeds:
                for suite in section.suites:
                    metrics, notes = suite_runs[suite](float(scale), int(seed), epoch)
                    record = EvaluationRecord(epoch, suite, float(scale), int(seed), metrics, stage, notes)
                    save_record(run_dir, record)
                    records.append(record)
    finally:
        model.train(was_training)
    return records
