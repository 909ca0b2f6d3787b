"""Kinetic (3J-d) and geometric "manual" (32-d) dance features, as the AIST++/Bailando reference has them.

Both take joints ``[T, J, 3]`` in metres, y up, at 60 fps, with ``T >= 3``. Quirks of the reference are kept
by default, each behind a named switch:

* ``ee_precedence_quirk``: the energy-expenditure term divides only the earlier position by ``dt``
  (``P[k] - P[k-1] / dt``), which makes EE depend on absolute position (hence the frame-0 root subtraction
  of the evaluation protocol).
* ``move_uses_third_arg``: the manual ``move`` predicate moves its third joint and ignores the fourth, so
  features 5 and 6 are identical.
* ``manual_velocity_fps``: manual velocity thresholds use 120 frames/s although the data are 60 fps.

Everything is vectorised over frames; there is no per-frame Python loop.
"""

from __future__ import annotations

import numpy as np

from mumo.errors import MotionError

KINETIC_FPS = 60.0
"""Frame rate assumed by the kinetic features (``dt = 1/60`` s)."""
KINETIC_WINDOW = 2
"""Half-width of the sliding windows of the kinetic features, frames."""
MANUAL_VELOCITY_FPS = 120.0
"""Frames per second the reference manual features use in every velocity test."""
HUMERUS_LENGTH = 0.2568381092
SHOULDER_WIDTH = 0.3908483585
HIP_WIDTH = 0.1192470659
"""Fixed body-size constants (metres) of the reference manual features."""

# Joint names used by the manual-feature table (SMPL order).
ROOT, LHIP, RHIP, BELLY, LKNEE, RKNEE = 0, 1, 2, 3, 4, 5
LANKLE, RANKLE, CHEST, LTOES, RTOES, NECK = 7, 8, 9, 10, 11, 12
LSHOULDER, RSHOULDER, LELBOW, RELBOW, LWRIST, RWRIST = 16, 17, 18, 19, 20, 21


def _check(joints: np.ndarray, allowed: tuple[int, ...]) -> np.ndarray:
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[2] != 3 or joints.shape[1] not in allowed:
        raise MotionError(f"expected joints [T, J, 3] with J in {allowed}, got shape {tuple(joints.shape)}")
    if joints.shape[0] < 3:
        raise MotionError(f"dance features need at least 3 frames, got {joints.shape[0]}")
    if not np.isfinite(joints).all():
        raise MotionError("joints contain NaN or Inf")
    return joints


def _window_sum(values: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """``out[i] = sum(values[first[i] : last[i] + 1])`` for every ``i``; ``values`` is ``[K, ...]``."""
    cumulative = np.concatenate([np.zeros_like(values[:1]), np.cumsum(values, axis=0)])
    return cumulative[last + 1] - cumulative[first]


def kinetic_features(
    joints: np.ndarray, fps: float = KINETIC_FPS, ee_precedence_quirk: bool = True
) -> np.ndarray:
    """Per joint: mean horizontal kinetic energy, vertical kinetic energy and energy expenditure.

    Args:
        joints: ``[T, J, 3]`` metres, y up.
        fps: frame rate defining ``dt`` (the reference uses 60).
        ee_precedence_quirk: reproduce the reference's ``P[k] - P[k-1] / dt`` (default); ``False`` computes
            the acceleration correctly (a different metric: name its results differently).

    Returns:
        float32 ``[3J]``, joint-major ``[KEh_0, KEv_0, EE_0, KEh_1, ...]``.
    """
    positions = _check(joints, allowed=tuple(range(1, 100)))
    num_frames = positions.shape[0]
    dt = 1.0 / fps
    frames = np.arange(1, num_frames)  # i = 1 .. T-1
    w = KINETIC_WINDOW

    steps = np.zeros_like(positions)
    steps[1:] = positions[1:] - positions[:-1]  # steps[k] = P[k] - P[k-1], k >= 1
    first_v = np.maximum(1, frames - w)
    last_v = np.minimum(num_frames - 1, frames + w)
    count_v = (last_v - first_v + 1)[:, None, None]
    velocity = _window_sum(steps, first_v, last_v) / (count_v * dt)  # [T-1, J, 3]
    ke_horizontal = (velocity[..., 0] ** 2 + velocity[..., 2] ** 2).mean(axis=0)
    ke_vertical = (velocity[..., 1] ** 2).mean(axis=0)

    k = np.arange(1, num_frames - 1)  # acceleration terms need k-1 >= 0 and k+1 <= T-1
    forward = (positions[k + 1] - positions[k]) / dt
    backward = positions[k] - positions[k - 1] / dt if ee_precedence_quirk else steps[k] / dt
    terms = np.zeros_like(positions)
    terms[k] = (forward - backward) / dt
    first_a = np.maximum(1, frames - w)
    last_a = np.minimum(num_frames - 2, frames + w)
    count_a = (last_a - first_a + 1)[:, None]
    acceleration = _window_sum(terms, first_a, last_a)
    energy = (np.linalg.norm(acceleration, axis=-1) / count_a).mean(axis=0)

    return np.stack([ke_horizontal, ke_vertical, energy], axis=-1).reshape(-1).astype(np.float32)


def _unit_norm_ratio(numerator: np.ndarray, vector: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return numerator / np.linalg.norm(vector, axis=-1)


def manual_features(
    joints: np.ndarray, move_uses_third_arg: bool = True, velocity_fps: float = MANUAL_VELOCITY_FPS
) -> np.ndarray:
    """The 32 boolean pose/motion predicates of Müller et al., averaged over frames 1..T-1.

    Args:
        joints: ``[T, 24, 3]`` (SMPL) or ``[T, 22, 3]`` (SMPL22/HumanML3D, the documented variant: only joints
            0–21 are used, but ``y_min`` — the lowest joint of a frame — is then taken over 22 joints).
        move_uses_third_arg: reproduce the reference ``move`` quirk (default).
        velocity_fps: frames per second used in the velocity tests (reference: 120).

    Returns:
        float32 ``[32]`` in [0, 1]. Degenerate geometry (zero-length vectors) makes a predicate false, as in
        the reference.
    """
    positions = _check(joints, allowed=(22, 24))
    cur, prev = positions[1:], positions[:-1]  # [T-1, J, 3]
    tau = velocity_fps
    hl, sw, hw = HUMERUS_LENGTH, SHOULDER_WIDTH, HIP_WIDTH
    n = cur.shape[0]
    zero = np.zeros((n, 3))
    y_unit = np.tile([0.0, 1.0, 0.0], (n, 1))
    minus_y = -y_unit
    y_min = np.zeros((n, 3))
    y_min[:, 1] = cur[..., 1].min(axis=1)

    def p(j: int | np.ndarray) -> np.ndarray:
        return j if isinstance(j, np.ndarray) else cur[:, j]

    def move(j1: int, j2: int, j3: int, j4: int, thr: float) -> np.ndarray:
        moving = j3 if move_uses_third_arg else j4
        rel = (cur[:, moving] - cur[:, j1]) - (prev[:, moving] - prev[:, j1])
        direction = cur[:, j2] - cur[:, j1]
        return tau * _unit_norm_ratio(np.sum(rel * direction, axis=-1), direction) > thr

    def nmove(j1: int, j2: int, j3: int, j4: int, thr: float) -> np.ndarray:
        rel = (cur[:, j4] - cur[:, j1]) - (prev[:, j4] - prev[:, j1])
        normal = np.cross(cur[:, j3] - cur[:, j1], cur[:, j2] - cur[:, j1])
        return tau * _unit_norm_ratio(np.sum(rel * normal, axis=-1), normal) > thr

    def plane(a, b, c, q, thr: float) -> np.ndarray:
        normal = np.cross(p(c) - p(a), p(b) - p(a))
        return _unit_norm_ratio(np.sum(normal * (p(q) - p(a)), axis=-1), normal) > thr

    def nplane(n1, n2, a, q, thr: float) -> np.ndarray:
        normal = p(n2) - p(n1)
        return _unit_norm_ratio(np.sum(normal * (p(q) - p(a)), axis=-1), normal) > thr

    def angle(a, b, c, d, low: float, high: float) -> np.ndarray:
        u, v = p(b) - p(a), p(d) - p(c)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
            degrees = np.degrees(np.arccos(cosine))
        return (degrees > low) & (degrees < high)

    def fast(j: int, thr: float) -> np.ndarray:
        return tau * np.linalg.norm(cur[:, j] - prev[:, j], axis=-1) > thr

    predicates = [
        nmove(NECK, RHIP, LHIP, RWRIST, 1.8 * hl),
        nmove(NECK, LHIP, RHIP, LWRIST, 1.8 * hl),
        nplane(CHEST, NECK, NECK, RWRIST, 0.2 * hl),
        nplane(CHEST, NECK, NECK, LWRIST, 0.2 * hl),
        move(BELLY, CHEST, CHEST, RWRIST, 1.8 * hl),
        move(BELLY, CHEST, CHEST, LWRIST, 1.8 * hl),
        angle(RELBOW, RSHOULDER, RELBOW, RWRIST, 0, 110),
        angle(LELBOW, LSHOULDER, LELBOW, LWRIST, 0, 110),
        nplane(LSHOULDER, RSHOULDER, LWRIST, RWRIST, 2.5 * sw),
        move(LWRIST, RWRIST, RWRIST, LWRIST, 1.4 * hl),
        move(RWRIST, ROOT, LWRIST, ROOT, 1.4 * hl),
        move(LWRIST, ROOT, RWRIST, ROOT, 1.4 * hl),
        fast(RWRIST, 2.5 * hl),
        fast(LWRIST, 2.5 * hl),
        plane(ROOT, LHIP, LTOES, RANKLE, 0.38 * hl),
        plane(ROOT, RHIP, RTOES, LANKLE, 0.38 * hl),
        nplane(zero, y_unit, y_min, RANKLE, 1.2 * hl),
        nplane(zero, y_unit, y_min, LANKLE, 1.2 * hl),
        nplane(LHIP, RHIP, LANKLE, RANKLE, 2.1 * hw),
        angle(RKNEE, RHIP, RKNEE, RANKLE, 0, 110),
        angle(LKNEE, LHIP, LKNEE, LANKLE, 0, 110),
        fast(RANKLE, 2.5 * hl),
        fast(LANKLE, 2.5 * hl),
        angle(NECK, ROOT, RSHOULDER, RELBOW, 25, 180),
        angle(NECK, ROOT, LSHOULDER, LELBOW, 25, 180),
        angle(NECK, ROOT, RHIP, RKNEE, 50, 180),
        angle(NECK, ROOT, LHIP, LKNEE, 50, 180),
        plane(RANKLE, NECK, LANKLE, ROOT, 0.5 * hl),
        angle(NECK, ROOT, zero, y_unit, 70, 110),
        nplane(zero, minus_y, y_min, RWRIST, -1.2 * hl),
        nplane(zero, minus_y, y_min, LWRIST, -1.2 * hl),
        fast(ROOT, 2.3 * hl),
    ]
    return np.stack(predicates, axis=-1).mean(axis=0).astype(np.float32)
