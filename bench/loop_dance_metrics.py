"""Straightforward per-frame loop implementation of the dance-metric definitions (benchmark baseline only).

Written directly from the definitions, one frame and one joint at a time, the way the reference code does it.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from mumo.metrics.dance_features import HIP_WIDTH, HUMERUS_LENGTH, SHOULDER_WIDTH


def kinetic_loop(joints: np.ndarray, fps: float = 60.0) -> np.ndarray:
    T, J, _ = joints.shape
    dt = 1.0 / fps
    out = []
    for j in range(J):
        keh = kev = ee = 0.0
        for i in range(1, T):
            velocity = np.zeros(3)
            count = 0
            for o in range(-2, 3):
                if i + o - 1 >= 0 and i + o <= T - 1:
                    velocity += joints[i + o, j] - joints[i + o - 1, j]
                    count += 1
            velocity /= count * dt
            keh += velocity[0] ** 2 + velocity[2] ** 2
            kev += velocity[1] ** 2
            acceleration = np.zeros(3)
            count = 0
            for o in range(-2, 3):
                if i + o - 1 >= 0 and i + o + 1 <= T - 1:
                    forward = (joints[i + o + 1, j] - joints[i + o, j]) / dt
                    backward = joints[i + o, j] - joints[i + o - 1, j] / dt
                    acceleration += (forward - backward) / dt
                    count += 1
            ee += np.linalg.norm(acceleration) / count
        out += [keh / (T - 1), kev / (T - 1), ee / (T - 1)]
    return np.array(out, dtype=np.float32)


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _norm(a):
    return math.sqrt(_dot(a, a))


def manual_loop(joints: np.ndarray) -> np.ndarray:
    T = joints.shape[0]
    tau, hl, sw, hw = 120.0, HUMERUS_LENGTH, SHOULDER_WIDTH, HIP_WIDTH
    total = np.zeros(32)
    for t in range(1, T):
        cur, prev = joints[t], joints[t - 1]
        y_min = np.array([0.0, cur[:, 1].min(), 0.0])
        zero, up, down = np.zeros(3), np.array([0.0, 1.0, 0.0]), np.array([0.0, -1.0, 0.0])

        def p(j):
            return j if isinstance(j, np.ndarray) else cur[j]

        def ratio(num, vec):
            n = _norm(vec)
            return num / n if n > 0 else float("nan")

        def move(j1, j2, j3, _j4, thr):
            rel = (cur[j3] - cur[j1]) - (prev[j3] - prev[j1])
            d = cur[j2] - cur[j1]
            return tau * ratio(_dot(rel, d), d) > thr

        def nmove(j1, j2, j3, j4, thr):
            rel = (cur[j4] - cur[j1]) - (prev[j4] - prev[j1])
            n = np.cross(cur[j3] - cur[j1], cur[j2] - cur[j1])
            return tau * ratio(_dot(rel, n), n) > thr

        def plane(a, b, c, q, thr):
            n = np.cross(p(c) - p(a), p(b) - p(a))
            return ratio(_dot(n, p(q) - p(a)), n) > thr

        def nplane(n1, n2, a, q, thr):
            n = p(n2) - p(n1)
            return ratio(_dot(n, p(q) - p(a)), n) > thr

        def angle(a, b, c, d, lo, hi):
            u, v = p(b) - p(a), p(d) - p(c)
            denominator = _norm(u) * _norm(v)
            if denominator == 0:
                return False
            degrees = math.degrees(math.acos(max(-1.0, min(1.0, _dot(u, v) / denominator))))
            return lo < degrees < hi

        def fast(j, thr):
            return tau * _norm(cur[j] - prev[j]) > thr

        row = [
            nmove(12, 2, 1, 21, 1.8 * hl), nmove(12, 1, 2, 20, 1.8 * hl),
            nplane(9, 12, 12, 21, 0.2 * hl), nplane(9, 12, 12, 20, 0.2 * hl),
            move(3, 9, 9, 21, 1.8 * hl), move(3, 9, 9, 20, 1.8 * hl),
            angle(19, 17, 19, 21, 0, 110), angle(18, 16, 18, 20, 0, 110),
            nplane(16, 17, 20, 21, 2.5 * sw), move(20, 21, 21, 20, 1.4 * hl),
            move(21, 0, 20, 0, 1.4 * hl), move(20, 0, 21, 0, 1.4 * hl),
            fast(21, 2.5 * hl), fast(20, 2.5 * hl),
            plane(0, 1, 10, 8, 0.38 * hl), plane(0, 2, 11, 7, 0.38 * hl),
            nplane(zero, up, y_min, 8, 1.2 * hl), nplane(zero, up, y_min, 7, 1.2 * hl),
            nplane(1, 2, 7, 8, 2.1 * hw), angle(5, 2, 5, 8, 0, 110), angle(4, 1, 4, 7, 0, 110),
            fast(8, 2.5 * hl), fast(7, 2.5 * hl),
            angle(12, 0, 17, 19, 25, 180), angle(12, 0, 16, 18, 25, 180),
            angle(12, 0, 2, 5, 50, 180), angle(12, 0, 1, 4, 50, 180),
            plane(8, 12, 7, 0, 0.5 * hl), angle(12, 0, zero, up, 70, 110),
            nplane(zero, down, y_min, 21, -1.2 * hl), nplane(zero, down, y_min, 20, -1.2 * hl),
            fast(0, 2.3 * hl),
        ]  # fmt: skip
        total += np.array(row, dtype=np.float64)
    return (total / (T - 1)).astype(np.float32)


def fid_loop(gen: np.ndarray, gt: np.ndarray) -> float:
    mu1, mu2 = gen.mean(axis=0), gt.mean(axis=0)
    s1, s2 = np.cov(gen, rowvar=False), np.cov(gt, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean).real)


def diversity_loop(features: np.ndarray) -> float:
    total, pairs = 0.0, 0
    for i in range(len(features)):
        for j in range(i + 1, len(features)):
            total += float(np.linalg.norm(features[i] - features[j]))
            pairs += 1
    return total / pairs


def normalise_loop(features: np.ndarray, gt: np.ndarray) -> np.ndarray:
    return ((features - gt.mean(axis=0)) / (gt.std(axis=0) + 1e-10)).astype(np.float32)


def features_loop(clips: list[np.ndarray], max_frames: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    kinetic, manual = [], []
    for clip in clips:
        clip = clip[:max_frames] if max_frames else clip
        clip = clip - clip[0:1, 0:1]
        kinetic.append(kinetic_loop(clip))
        manual.append(manual_loop(clip))
    return np.stack(kinetic), np.stack(manual)


def evaluate_loop(generated: list[np.ndarray], gt: list[np.ndarray]) -> dict[str, float]:
    """The whole protocol (zero start, 1200-frame cut, GT normalisation, FID, Div) with the loop pieces."""
    gen_k, gen_m = features_loop(generated, max_frames=1200)
    gt_k, gt_m = features_loop(gt)
    out = {}
    for suffix, gen, ref in (("k", gen_k, gt_k), ("m", gen_m, gt_m)):
        gen_n, ref_n = normalise_loop(gen, ref), normalise_loop(ref, ref)
        out[f"fid_{suffix}"] = fid_loop(gen_n, ref_n)
        out[f"div_{suffix}"] = diversity_loop(gen_n)
        out[f"div_{suffix}_gt"] = diversity_loop(ref_n)
    return out
