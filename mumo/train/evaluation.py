"""Periodic evaluation of the joint LM during and after training.

For the clips of one split of the token store, the model generates at every configured guidance scale and
seed; the codes are decoded by the store's tokenizers and scored:

* ``dance``: music → dance on ``clip_s``-second windows. Bailando FID/Div against the ground-truth dances of
  the store's dataset (train split, features cached in ``RUN_DIR/gt_features``), beat alignment of each dance
  with its own music and with another clip's music (``beat_align`` vs. ``beat_align_shuffled``), jitter,
  speed and foot skating. A rendered sample video per evaluation goes to ``RUN_DIR/samples``.
* ``music``: descriptions → music, scored against the dataset's audio with the ``melstat`` stand-in
  (``fd_melstat``, ``kl_melstat``); the published names stay unavailable without real embedder weights.

Each (epoch, suite, guidance scale, seed) becomes one line of ``RUN_DIR/metrics.jsonl``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from mumo.audio import load
from mumo.data.clips import MUSIC_SAMPLE_RATE, ClipRecord, read_index
from mumo.data.token_store import TokenStore
from mumo.errors import DataError
from mumo.lm import MusicMotionLM, Task, generate
from mumo.metrics.beat_align import clip_beat_align_score
from mumo.metrics.cache import FeatureCache
from mumo.metrics.dance import DanceFeatures
from mumo.metrics.dance import evaluate as evaluate_dance
from mumo.metrics.motion_quality import motion_quality
from mumo.metrics.music import evaluate_music
from mumo.train.metrics_log import EvaluationRecord, append_record

log = logging.getLogger(__name__)
MOTION_FPS = 60


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
        from mumo.tokenizers import load_tokenizer

        self.music = load_tokenizer(store.meta.music.directory)
        self.motion = load_tokenizer(store.meta.motion.directory)

    @torch.no_grad()
    def motion_to_joints(self, codes: torch.Tensor) -> np.ndarray:
        return np.asarray(self.motion.decode_to_joints(codes.cpu()))

    @torch.no_grad()
    def music_to_audio(self, codes: torch.Tensor) -> np.ndarray:
        return self.music.decode(codes.cpu()).float().numpy()


@dataclass
class EvaluationSection:
    """When and how a stage is evaluated (``every_n_epochs = 0`` turns periodic evaluation off)."""

    every_n_epochs: int = 0
    suites: list[str] = field(default_factory=lambda: ["dance"])
    guidance_scales: list[float] = field(default_factory=lambda: [4.0])
    seeds: list[int] = field(default_factory=lambda: [0])
    split: str = "val"
    num_clips: int = 16
    clip_s: float = 5.0
    top_k: int = 250
    temperature: float = 1.0
    render_samples: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.suites) - {"dance", "music"}
        if unknown:
            raise ValueError(f"unknown evaluation suites {sorted(unknown)}; choose from ['dance', 'music']")


@dataclass(frozen=True)
class _EvalClip:
    record: ClipRecord
    music_codes: torch.Tensor  # [K, T]
    music_text: str
    motion_text: str


def _clips(store: TokenStore, section: EvaluationSection) -> tuple[list[_EvalClip], Path]:
    if not store.meta.source:
        raise DataError(
            f"{store.root}: the token store does not name its dataset, so there is no ground truth"
        )
    dataset = Path(store.meta.source)
    records = {r.clip_id: r for r in read_index(dataset)}
    frames = round(section.clip_s * store.frame_rate)
    clips = []
    for row in store.indices(section.split):  # type: ignore[arg-type]
        if store.lengths()[row] < frames or store.text(int(row), "clip_id") not in records:
            continue
        music, _ = store.codes(int(row), 0, frames)
        record = records[store.text(int(row), "clip_id")]
        clips.append(_EvalClip(record, torch.from_numpy(music), record.music_caption, record.motion_caption))
        if len(clips) == section.num_clips:
            break
    if len(clips) < 2:
        raise DataError(
            f"fewer than 2 {section.split} clips of {section.clip_s} s in {store.root} to evaluate"
        )
    return clips, dataset


def _ground_truth(dataset: Path, run_dir: Path) -> DanceFeatures:
    """Features of the dataset's train-split dances (cached per run)."""
    paths = [dataset / r.joints_path for r in read_index(dataset, "train") if r.joints_path]
    return FeatureCache(run_dir / "gt_features").features([np.load(p) for p in paths])


def _beat_frames(record: ClipRecord, clip_s: float) -> np.ndarray:
    times = np.asarray(record.beat_times_s)
    return np.round(times[times < clip_s] * MOTION_FPS).astype(np.int64)


def evaluate_model(
    model: MusicMotionLM,
    store: TokenStore,
    decoders: Decoders,
    section: EvaluationSection,
    epoch: int,
    run_dir: Path,
    stage: str = "",
) -> list[EvaluationRecord]:
    """Generate, decode and score; append every record to ``RUN_DIR/metrics.jsonl`` and return them."""
    clips, dataset = _clips(store, section)
    vocab = (store.meta.music.cardinality, store.meta.motion.cardinality)
    was_training = model.training
    model.eval()
    records = []
    try:
        for scale in section.guidance_scales:
            for seed in section.seeds:
                for suite in section.suites:
                    metrics = (_dance if suite == "dance" else _music)(
                        model, decoders, clips, dataset, section, scale, seed, run_dir, epoch, vocab
                    )
                    record = EvaluationRecord(epoch, suite, float(scale), int(seed), metrics, stage)
                    append_record(run_dir, record)
                    records.append(record)
    finally:
        model.train(was_training)
    return records


def _dance(
    model, decoders, clips, dataset, section, scale, seed, run_dir, epoch, vocab
) -> dict[str, float | None]:
    music = torch.stack([c.music_codes for c in clips]).to(next(model.parameters()).device)
    result = generate(
        model, Task.MUSIC2MOTION, num_frames=music.shape[-1], music_codes=music,
        motion_descriptions=[c.motion_text for c in clips], guidance_scale=scale,
        temperature=section.temperature, top_k=section.top_k, seed=seed, motion_vocab_size=vocab[1],
    )  # fmt: skip
    joints = list(decoders.motion_to_joints(result.motion_codes))
    gt_features = _ground_truth(dataset, run_dir)
    scores: dict[str, float | None] = {k: float(v) for k, v in evaluate_dance(joints, gt_features).items()}  # type: ignore[arg-type]
    beats = [_beat_frames(c.record, section.clip_s) for c in clips]
    scores["beat_align"] = float(
        np.mean([clip_beat_align_score(j, b) for j, b in zip(joints, beats, strict=True)])
    )
    shuffled = beats[1:] + beats[:1]
    scores["beat_align_shuffled"] = float(
        np.mean([clip_beat_align_score(j, b) for j, b in zip(joints, shuffled, strict=True)])
    )
    scores.update(motion_quality(joints))
    if section.render_samples:
        _render_sample(
            joints[0],
            clips[0],
            dataset,
            section,
            run_dir / "samples" / f"epoch={epoch}_gs{scale:g}_seed{seed}.mp4",
        )
    return scores


def _music(
    model, decoders, clips, dataset, section, scale, seed, run_dir, epoch, vocab
) -> dict[str, float | None]:
    frames = clips[0].music_codes.shape[-1]
    result = generate(
        model, Task.MUSIC, num_frames=frames, batch_size=len(clips),
        music_descriptions=[c.music_text for c in clips], guidance_scale=scale,
        temperature=section.temperature, top_k=section.top_k, seed=seed, music_vocab_size=vocab[0],
    )  # fmt: skip
    audio = decoders.music_to_audio(result.music_codes)
    samples = round(section.clip_s * MUSIC_SAMPLE_RATE)
    generated = {c.record.clip_id: a[:, :samples] for c, a in zip(clips, audio, strict=True)}
    reference = {
        c.record.clip_id: load(dataset / str(c.record.music_path), MUSIC_SAMPLE_RATE)[:, :samples]
        for c in clips
    }
    scores = evaluate_music(generated, reference, sample_rate=MUSIC_SAMPLE_RATE)
    return {k: v for k, v in scores.items() if v is None or isinstance(v, float)}  # type: ignore[misc]


def _render_sample(
    joints: np.ndarray, clip: _EvalClip, dataset: Path, section: EvaluationSection, path: Path
) -> None:
    from mumo.motion.render import render_video

    samples = round(section.clip_s * MUSIC_SAMPLE_RATE)
    audio = load(dataset / str(clip.record.music_path), MUSIC_SAMPLE_RATE)[:, :samples]
    render_video(path, joints, audio=audio, title=f"{clip.record.style or 'generated'} (generated)")
