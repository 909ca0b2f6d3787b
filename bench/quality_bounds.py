"""Floors and ceilings of the music → dance and dance → music metrics for a token store, side by side in one
run.

For the first ``--clips`` test clips (``--seconds`` each) of a token store built over a dataset with dances:

* ``ground truth``: the dataset's dances;
* ``ground-truth codes decoded``: the store's motion codes of those clips through the motion tokenizer (the
  tokenizer's ceiling: no LM can do better than its own codes);
* ``random codes decoded``: uniformly random codes through the same decoder, ``--seeds`` draws (the floor);
* ``codebook 0 true, 1-3 random`` and ``codebook 0 with P % random codes, 1-3 random``: the ground-truth codes
  with the residual codebooks drawn at random and, in the latter, a share ``P`` of the first codebook's codes
  too (where the beats live in the codes, and how many first-codebook errors they survive).

Each row: beat alignment with the clip's music (BAS) and with another clip's music (shuffled), jitter,
foot skating, FID_k against the train pool and style accuracy (where styles are labelled), with the spread
over seeds for the rows with random codes.

Then the same for dance → music, with the music in place of the dance: the clips' real music, their music
codes decoded by the music tokenizer, random music codes decoded, and the first codebook true with 1-3
random; each scored as the evaluation scores music made for a dance (librosa's beats of the music against
the kinematic beats of the clip's own dance, and of another clip's dance). ``docs/quality.md`` quotes both
tables.

    python bench/quality_bounds.py --store outputs/demo/store
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from mumo.audio import load
from mumo.data.clips import MOTION_FPS, MUSIC_SAMPLE_RATE, read_index
from mumo.data.token_store import TokenStore
from mumo.metrics.beat_align import beat_align_score, clip_beat_align_score, motion_beats, music_beat_frames
from mumo.metrics.dance import evaluate as evaluate_dance
from mumo.metrics.dance import extract_features
from mumo.metrics.motion_quality import foot_skating_ratio
from mumo.metrics.style import StyleClassifier, windows
from mumo.motion.kinematics import jitter
from mumo.tokenizers import load_tokenizer
from mumo.train.evaluation import evaluation_clips
from mumo.train.evaluation_config import EvaluationSection


def _row(name: str, dances: list[np.ndarray], clips, dataset: Path, classifier, pool) -> dict[str, float]:
    frames = min(len(d) for d in dances)
    beats = [np.round(np.asarray(c.record.beat_times_s) * MOTION_FPS).astype(int) for c in clips]
    beats = [b[b < frames] for b in beats]
    shuffled = dances[-1:] + dances[:-1]  # clip i's dance is scored against clip i + 1's music
    row = {
        "beat_align": float(
            np.mean([clip_beat_align_score(d, b) for d, b in zip(dances, beats, strict=True)])
        ),
        "beat_align_shuffled": float(
            np.mean([clip_beat_align_score(d, b) for d, b in zip(shuffled, beats, strict=True)])
        ),
        "jitter_m_s3": float(np.mean([jitter(d) for d in dances])),
        "foot_skating_ratio": float(np.mean([foot_skating_ratio(d) for d in dances])),
        "fid_k": float(evaluate_dance(dances, pool)["fid_k"]),
    }
    if classifier is not None:
        labels = [str(c.record.style) for c in clips]
        row["style_accuracy"] = classifier.accuracy(extract_features(dances).kinetic, labels)
    print(f"{name:28s} " + "  ".join(f"{k} {v:8.3f}" for k, v in row.items()), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=Path("outputs/demo/store"))
    parser.add_argument("--clips", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    store = TokenStore(args.store)
    section = EvaluationSection(split="test", num_clips=args.clips, clip_s=args.seconds)
    clips, dataset = evaluation_clips(store, section)
    tokenizer = load_tokenizer(store.meta.motion.directory)
    frames = round(args.seconds * MOTION_FPS)
    train = [r for r in read_index(dataset, "train") if r.joints_path]
    pool = [np.load(dataset / r.joints_path) for r in train]
    classifier = None
    if all(c.record.style for c in clips):
        cut, labels = [], []
        for record, joints in zip(train, pool, strict=True):
            parts = windows(joints, frames, frames // 2)
            cut += parts
            labels += [str(record.style)] * len(parts)
        classifier = StyleClassifier.fit(extract_features(cut).kinetic, labels)
    truth = [np.load(dataset / str(c.record.joints_path))[:frames] for c in clips]
    _row("ground truth", truth, clips, dataset, classifier, pool)
    codes = torch.stack([c.motion_codes for c in clips])
    with torch.no_grad():
        decoded = list(np.asarray(tokenizer.decode_to_joints(codes))[:, :frames])
    _row("ground-truth codes decoded", decoded, clips, dataset, classifier, pool)
    _dance_rows(
        codes, tokenizer, frames, clips, dataset, classifier, pool, store.meta.motion.cardinality, args.seeds
    )
    _music_rows(store, clips, dataset, args.seconds, args.seeds)


def _dance_rows(codes, tokenizer, frames, clips, dataset, classifier, pool, card: int, seeds: int) -> None:
    """The rows with randomised motion codes, ``seeds`` draws each, and their mean ± sd."""
    variants = [("random codes", 0, 0.0), ("codebook 0 true, 1-3 random", 1, 0.0)]
    variants += [(f"codebook 0 with {p:.0%} random, 1-3 random", 1, p) for p in (0.2, 0.4)]
    for name, first_random, share in variants:
        rows = []
        for seed in range(seeds):
            generator = torch.Generator().manual_seed(seed)
            partly = _randomised(codes, card, first_random, share, generator)
            with torch.no_grad():
                dances = list(np.asarray(tokenizer.decode_to_joints(partly))[:, :frames])
            rows.append(_row(f"{name}, seed {seed}", dances, clips, dataset, classifier, pool))
        print(
            f"{name + ': mean ± sd':28s} "
            + "  ".join(
                f"{k} {np.mean([r[k] for r in rows]):.3f} ± {np.std([r[k] for r in rows]):.3f}"
                for k in rows[0]
            )
        )


def _music_rows(store: TokenStore, clips, dataset: Path, seconds: float, seeds: int) -> None:
    """Dance → music bounds: each music variant's beats against the clip's own dance and another clip's."""
    print("\ndance -> music: the music's beats against the kinematic beats of its dance", flush=True)
    frames = round(seconds * MOTION_FPS)
    dances = [motion_beats(np.load(dataset / str(c.record.joints_path))[:frames]) for c in clips]
    tokenizer = load_tokenizer(store.meta.music.directory)
    codes = torch.stack([c.music_codes for c in clips])

    def decoded(music_codes: torch.Tensor) -> list[np.ndarray]:
        with torch.no_grad():
            return list(tokenizer.decode(music_codes).float().numpy())

    def row(name: str, audio: list[np.ndarray]) -> float:
        beats = [music_beat_frames(a, MUSIC_SAMPLE_RATE) for a in audio]
        own = np.array([beat_align_score(m, d) for m, d in zip(beats, dances, strict=True)])
        shuffled = np.array(
            [beat_align_score(m, d) for m, d in zip(beats, dances[1:] + dances[:1], strict=True)]
        )
        print(f"{name:28s} music_beat_align {own.mean():.3f}  shuffled {shuffled.mean():.3f}  "
              f"paired {np.mean(own - shuffled):+.3f}", flush=True)  # fmt: skip
        return float(np.mean(own - shuffled))

    real = [load(dataset / str(c.record.music_path), MUSIC_SAMPLE_RATE, first_seconds=seconds) for c in clips]
    row("real music", real)
    row("ground-truth codes decoded", decoded(codes))
    card = store.meta.music.cardinality
    for name, first_random in (("random codes", 0), ("codebook 0 true, 1-3 random", 1)):
        paired = []
        for seed in range(seeds):
            generator = torch.Generator().manual_seed(seed)
            paired.append(
                row(f"{name}, seed {seed}", decoded(_randomised(codes, card, first_random, 0.0, generator)))
            )
        print(f"{name + ': paired mean ± sd':28s} {np.mean(paired):+.3f} ± {np.std(paired):.3f}", flush=True)


def _randomised(
    codes: torch.Tensor, card: int, first_random: int, share: float, generator: torch.Generator
) -> torch.Tensor:
    """``codes`` ``[B, K, T]`` with codebooks ``>= first_random`` uniformly random and, of the codebooks
    before, a share ``share`` of the codes replaced by random ones."""
    out = codes.clone()
    out[:, first_random:] = torch.randint(0, card, out[:, first_random:].shape, generator=generator)
    kept = out[:, :first_random]
    replace = torch.rand(kept.shape, generator=generator) < share
    drawn = torch.randint(0, card, kept.shape, generator=generator)
    out[:, :first_random] = torch.where(replace, drawn, kept)
    return out


if __name__ == "__main__":
    main()
