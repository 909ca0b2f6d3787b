"""Dance-metric speed: mumo's vectorised features and evaluation vs. a per-frame loop implementation.

Default: 40 generated clips of 20 s against a ground-truth pool of 1000 clips of 20 s (60 fps, 24 joints).
In the same run, the loop implementation (``loop_dance_metrics.py``, written from the same definitions)

* scores a subset (``--loop-generated`` generated vs ``--loop-reference`` ground-truth clips) end to end, and
  mumo scores the same subset: the numbers must agree;
* is timed per clip on that subset, and its full-size time is extrapolated linearly (its features are
  O(clips x frames)); its FID and diversity steps are timed at full size.

``--quick`` shrinks everything (5-s clips, 8 vs 40).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from loop_dance_metrics import diversity_loop, evaluate_loop, fid_loop, normalise_loop

from mumo.metrics.dance import evaluate, evaluate_features, extract_features

FPS = 60
KEYS = ("fid_k", "fid_m", "div_k", "div_m", "div_k_gt", "div_m_gt")


def make_clip(rng: np.random.Generator, num_frames: int) -> np.ndarray:
    """A dance-like clip ``[T, 24, 3]``: per-joint sinusoids around a random pose, drifting root."""
    rest = rng.normal(0.0, 0.4, (1, 24, 3))
    t = np.arange(num_frames)[:, None, None] / FPS
    freq = rng.uniform(0.3, 2.5, (1, 24, 3))
    clip = rest + rng.uniform(0.03, 0.2) * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, (1, 24, 3)))
    clip[:, :, [0, 2]] += rng.normal(0, 0.3, 2) * t[:, :, 0:1]
    return clip


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds instead of minutes)")
    parser.add_argument("--loop-generated", type=int, default=4, help="generated clips the loop scores")
    parser.add_argument("--loop-reference", type=int, default=8, help="ground-truth clips the loop scores")
    args = parser.parse_args()
    seconds, num_gen, num_gt = (5, 8, 40) if args.quick else (20, 40, 1000)
    frames = seconds * FPS
    rng = np.random.default_rng(0)
    generated = [make_clip(rng, frames) for _ in range(num_gen)]
    gt = [make_clip(rng, frames) for _ in range(num_gt)]
    sub_gen, sub_gt = generated[: args.loop_generated], gt[: args.loop_reference]
    warnings.simplefilter("ignore", RuntimeWarning)  # zero-variance dims are the same for both sides

    # mumo, full size
    gen_features, t_gen = timed(extract_features, generated, 1200)
    gt_features, t_gt = timed(extract_features, gt)
    ours, t_eval = timed(evaluate_features, gen_features, gt_features)
    ours_total = t_gen + t_gt + t_eval

    # loop, subset end to end (numbers) and per-clip time
    loop_sub, t_loop_sub = timed(evaluate_loop, sub_gen, sub_gt)
    ours_sub, t_ours_sub = timed(evaluate, sub_gen, sub_gt)
    loop_per_clip = t_loop_sub / (len(sub_gen) + len(sub_gt))
    # loop FID / diversity at full size, on mumo's (identical) features
    t_loop_scores = 0.0
    for gen, ref in ((gen_features.kinetic, gt_features.kinetic), (gen_features.manual, gt_features.manual)):
        gen_n, ref_n = normalise_loop(gen, ref), normalise_loop(ref, ref)
        for fn, fn_args in (
            (fid_loop, (gen_n, ref_n)),
            (diversity_loop, (gen_n,)),
            (diversity_loop, (ref_n,)),
        ):
            t_loop_scores += timed(fn, *fn_args)[1]
    loop_total = loop_per_clip * (num_gen + num_gt) + t_loop_scores

    rows = [
        (f"features, per {seconds}-s clip", t_gt / num_gt, loop_per_clip, "timed"),
        (
            f"subset evaluation ({len(sub_gen)} vs {len(sub_gt)} clips)",
            t_ours_sub,
            t_loop_sub,
            "timed",
        ),
        (f"full evaluation ({num_gen} vs {num_gt} clips)", ours_total, loop_total, "loop extrapolated"),
    ]
    print(f"{'step':44s} {'mumo (s)':>10s} {'loop (s)':>10s} {'speed-up':>9s}  loop time")
    for name, ours_s, loop_s, how in rows:
        print(f"{name:44s} {ours_s:10.4f} {loop_s:10.2f} {loop_s / ours_s:8.0f}x  {how}")
    print(f"\nmumo full evaluation: features {t_gen + t_gt:.2f} s, FID/Div {t_eval:.2f} s")
    print("\nsubset numbers, mumo vs loop (max relative difference):")
    worst = 0.0
    for key in KEYS:
        rel = abs(ours_sub[key] - loop_sub[key]) / max(abs(loop_sub[key]), 1e-12)
        worst = max(worst, rel)
        print(f"  {key:9s} {ours_sub[key]:16.7f} {loop_sub[key]:16.7f}  {rel:.1e}")
    print(f"  identical to rtol 1e-5: {worst <= 1e-5}")
    print("\nfull-size mumo scores: " + ", ".join(f"{k} {ours[k]:.4f}" for k in KEYS))


if __name__ == "__main__":
    main()
