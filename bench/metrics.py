"""Dance-metric speed: mumo's vectorised features and evaluation vs. a per-frame loop implementation.

Default: 40 generated clips of 20 s against a ground-truth pool of 1000 clips (60 fps, 24 joints). The loop
baseline is timed on a subset of the ground-truth pool and extrapolated linearly (it is O(clips x frames));
the numbers of both implementations are compared on that subset. ``--quick`` shrinks everything.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from loop_dance_metrics import diversity_loop, fid_loop, kinetic_loop, manual_loop

from mumo.metrics.dance import evaluate_features, extract_features, normalise


def make_clip(rng: np.random.Generator, num_frames: int) -> np.ndarray:
    rest = rng.normal(0.0, 0.4, (1, 24, 3))
    t = np.arange(num_frames)[:, None, None] / 60.0
    freq = rng.uniform(0.3, 2.5, (1, 24, 3))
    return rest + 0.1 * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, (1, 24, 3)))


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds instead of minutes)")
    args = parser.parse_args()
    num_gen, gen_frames, num_gt, gt_frames = (8, 300, 40, 300) if args.quick else (40, 1200, 1000, 1200)
    loop_subset = 4 if args.quick else 10
    rng = np.random.default_rng(0)
    generated = [make_clip(rng, gen_frames) for _ in range(num_gen)]
    gt = [make_clip(rng, gt_frames) for _ in range(num_gt)]

    gen_features, t_gen = timed(extract_features, generated)
    gt_features, t_gt = timed(extract_features, gt)
    _, t_eval = timed(evaluate_features, gen_features, gt_features)

    def loop_features(clips):
        return [(kinetic_loop(c - c[0:1, 0:1]), manual_loop(c - c[0:1, 0:1])) for c in clips]

    loop_out, t_loop = timed(loop_features, gt[:loop_subset])
    t_loop_per_clip = t_loop / loop_subset
    loop_kinetic = np.stack([k for k, _ in loop_out])
    loop_manual = np.stack([m for _, m in loop_out])
    kinetic_match = np.allclose(loop_kinetic, gt_features.kinetic[:loop_subset], rtol=1e-5)
    manual_match = np.array_equal(loop_manual, gt_features.manual[:loop_subset])

    gen_n = normalise(gen_features.kinetic, gt_features.kinetic)
    gt_n = normalise(gt_features.kinetic, gt_features.kinetic)
    loop_fid, t_loop_fid = timed(fid_loop, gen_n, gt_n)
    loop_div, t_loop_div = timed(diversity_loop, gen_n)
    ours = evaluate_features(gen_features, gt_features)

    ours_total = t_gen + t_gt + t_eval
    loop_total = t_loop_per_clip * (num_gen * gen_frames / gt_frames + num_gt) + t_loop_fid + t_loop_div
    rows = [
        ("features, per 20-s clip", t_gt / num_gt, t_loop_per_clip),
        (f"full evaluation ({num_gen} vs {num_gt} clips)", ours_total, loop_total),
    ]
    print(f"{'step':42s} {'mumo (s)':>10s} {'loop (s)':>10s} {'speed-up':>9s}")
    for name, ours_s, loop_s in rows:
        print(f"{name:42s} {ours_s:10.4f} {loop_s:10.2f} {loop_s / ours_s:8.0f}x")
    print(f"loop baseline timed on {loop_subset} clips and extrapolated linearly")
    print(f"identical numbers: kinetic {kinetic_match}, manual {manual_match}")
    print(f"fid_k {ours['fid_k']:.6f} vs {loop_fid:.6f}, div_k {ours['div_k']:.6f} vs {loop_div:.6f}")


if __name__ == "__main__":
    main()
