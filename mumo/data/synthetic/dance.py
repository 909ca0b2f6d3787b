"""Procedural dances on the 22-joint skeleton, phase-locked to a track's beats.

Every move is a function of the beat phase: body parts travel between two poses along the ramp
``r(phi) = phi - sin(2 pi phi) / (2 pi)`` (phi in [0, 1) within a beat), whose velocity ``1 - cos(2 pi phi)``
vanishes at every beat. So the body comes to rest exactly on the musical beats: the kinematic beats (minima of
joint speed) fall on the music's beats. Poses are joint rotations applied by forward kinematics, so bone
lengths stay constant; the root is lifted so that the lowest foot touches the floor (y = 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mumo.data.synthetic.music import Track
from mumo.data.synthetic.styles import Style
from mumo.motion.skeleton import SMPL22

FPS = 60
"""Frames per second of the generated joints."""
BARS_PER_MOVE = 2

MOVE_DESCRIPTIONS: dict[str, str] = {
    "bounce": "bounces on the knees",
    "step_touch": "steps side to side",
    "arm_pump": "pumps both arms overhead",
    "turn": "turns on the spot",
    "arm_swing": "swings the arms",
    "squat": "sinks into deep squats",
    "travel": "travels forward with marching steps",
    "kick_step": "kicks the legs forward",
    "sway": "sways the upper body",
}

# Joint indices of SMPL22.
PELVIS, L_HIP, R_HIP, SPINE1, L_KNEE, R_KNEE, SPINE2 = 0, 1, 2, 3, 4, 5, 6
SPINE3, NECK, L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW = 9, 12, 16, 17, 18, 19
FEET = (7, 8, 10, 11)
ARM_REST_DEG = 75.0
"""How far the arms hang down from the T-pose, degrees."""


@dataclass(frozen=True)
class Dance:
    """A generated dance.

    Attributes:
        joints: ``[T, 22, 3]`` float32 positions in metres at :data:`FPS`, y up.
        moves: names of the moves in the order they were danced (one per two bars).
    """

    joints: np.ndarray
    moves: tuple[str, ...]


@dataclass
class _Pose:
    """Per-frame joint angles and root motion, built up by the moves.

    Attributes:
        angles: ``[T, 22, 3]`` radians about x, y and z of each joint's local rotation.
        turning: ``[T]`` 1 where the dancer turns by one turn step per beat.
        travelling: ``[T]`` 1 where the dancer travels forward by one stride per beat.
        lateral: ``[T]`` sideways offset in units of one step width.
    """

    angles: np.ndarray
    turning: np.ndarray
    travelling: np.ndarray
    lateral: np.ndarray


def ramp(phase: np.ndarray) -> np.ndarray:
    """``phi - sin(2 pi phi) / (2 pi)``: 0 → 1 over a beat with zero velocity at both ends."""
    return phase - np.sin(2 * np.pi * phase) / (2 * np.pi)


def _there_and_back(beat: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """0 → 1 on even beats and 1 → 0 on odd beats, resting on every beat."""
    r = ramp(phase)
    return np.where(beat % 2 == 0, r, 1.0 - r)


def _swing(beat: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """0 → 1 → 0 → -1 → 0 over four beats, resting on every beat."""
    return _there_and_back(beat, phase) * np.where((beat // 2) % 2 == 0, 1.0, -1.0)


MoveFn = Callable[[_Pose, np.ndarray, np.ndarray, np.ndarray, float], None]


def _bounce(pose: _Pose, mask, beat, phase, energy) -> None:
    depth = np.deg2rad(28.0 * energy) * _there_and_back(beat, phase) * mask
    for hip, knee in ((L_HIP, L_KNEE), (R_HIP, R_KNEE)):
        pose.angles[:, hip, 0] -= depth
        pose.angles[:, knee, 0] += 2 * depth
    pose.angles[:, NECK, 0] += 0.4 * depth


def _squat(pose: _Pose, mask, beat, phase, energy) -> None:
    depth = np.deg2rad(55.0 * energy) * _there_and_back(beat, phase) * mask
    for hip, knee in ((L_HIP, L_KNEE), (R_HIP, R_KNEE)):
        pose.angles[:, hip, 0] -= depth
        pose.angles[:, knee, 0] += 1.8 * depth
    pose.angles[:, L_SHOULDER, 0] -= 1.2 * depth
    pose.angles[:, R_SHOULDER, 0] -= 1.2 * depth
    pose.angles[:, SPINE1, 0] += 0.3 * depth


def _step_touch(pose: _Pose, mask, beat, phase, energy) -> None:
    side = _there_and_back(beat, phase)
    pose.lateral += side * mask * energy
    lift = np.deg2rad(20.0) * np.sin(np.pi * phase) * mask
    leading = np.where(beat % 2 == 0, L_HIP, R_HIP)
    for hip, knee in ((L_HIP, L_KNEE), (R_HIP, R_KNEE)):
        active = leading == hip
        pose.angles[:, hip, 0] -= lift * active
        pose.angles[:, knee, 0] += 2 * lift * active
    pose.angles[:, SPINE2, 2] += np.deg2rad(8.0) * side * mask


def _travel(pose: _Pose, mask, beat, phase, energy) -> None:
    pose.travelling += mask > 0
    swing = np.deg2rad(30.0 * energy) * _swing(beat, phase) * mask
    pose.angles[:, L_HIP, 0] -= swing
    pose.angles[:, R_HIP, 0] += swing
    pose.angles[:, L_SHOULDER, 0] += swing
    pose.angles[:, R_SHOULDER, 0] -= swing


def _kick_step(pose: _Pose, mask, beat, phase, energy) -> None:
    kick = np.deg2rad(60.0 * energy) * _there_and_back(beat, phase) * mask
    leg = np.where((beat // 2) % 2 == 0, L_HIP, R_HIP)
    pose.angles[:, L_HIP, 0] -= kick * (leg == L_HIP)
    pose.angles[:, R_HIP, 0] -= kick * (leg == R_HIP)
    pose.angles[:, L_SHOULDER, 2] += 0.5 * kick
    pose.angles[:, R_SHOULDER, 2] -= 0.5 * kick


def _arm_swing(pose: _Pose, mask, beat, phase, energy) -> None:
    swing = np.deg2rad(45.0 * energy) * _swing(beat, phase) * mask
    pose.angles[:, L_SHOULDER, 0] -= swing
    pose.angles[:, R_SHOULDER, 0] += swing
    pose.angles[:, L_ELBOW, 1] -= np.deg2rad(30.0) * mask
    pose.angles[:, R_ELBOW, 1] += np.deg2rad(30.0) * mask
    pose.angles[:, PELVIS, 1] += 0.25 * swing


def _arm_pump(pose: _Pose, mask, beat, phase, energy) -> None:
    up = np.deg2rad(150.0 * min(energy, 1.1)) * _there_and_back(beat, phase) * mask
    pose.angles[:, L_SHOULDER, 2] += up
    pose.angles[:, R_SHOULDER, 2] -= up
    pose.angles[:, L_ELBOW, 1] -= 0.3 * up
    pose.angles[:, R_ELBOW, 1] += 0.3 * up
    _bounce(pose, mask, beat, phase, 0.5 * energy)


def _turn(pose: _Pose, mask, beat, phase, energy) -> None:
    pose.turning += mask > 0
    _bounce(pose, mask, beat, phase, 0.5 * energy)
    pose.angles[:, L_SHOULDER, 2] += np.deg2rad(40.0) * mask
    pose.angles[:, R_SHOULDER, 2] -= np.deg2rad(40.0) * mask


def _sway(pose: _Pose, mask, beat, phase, energy) -> None:
    sway = np.deg2rad(14.0 * energy) * _swing(beat, phase) * mask
    for joint in (SPINE1, SPINE2, SPINE3):
        pose.angles[:, joint, 2] += sway
    pose.lateral += 0.5 * _there_and_back(beat, phase) * mask
    pose.angles[:, L_SHOULDER, 2] += np.deg2rad(35.0) * mask + sway
    pose.angles[:, R_SHOULDER, 2] -= np.deg2rad(35.0) * mask - sway


MOVES: dict[str, MoveFn] = {
    "bounce": _bounce,
    "step_touch": _step_touch,
    "arm_pump": _arm_pump,
    "turn": _turn,
    "arm_swing": _arm_swing,
    "squat": _squat,
    "travel": _travel,
    "kick_step": _kick_step,
    "sway": _sway,
}


def euler_to_matrices(angles: np.ndarray) -> np.ndarray:
    """Rotation matrices ``[..., 3, 3]`` from angles ``[..., 3]`` (radians about x, y, z): Rz Ry Rx."""
    cx, cy, cz = np.cos(angles[..., 0]), np.cos(angles[..., 1]), np.cos(angles[..., 2])
    sx, sy, sz = np.sin(angles[..., 0]), np.sin(angles[..., 1]), np.sin(angles[..., 2])
    out = np.empty((*angles.shape[:-1], 3, 3))
    out[..., 0, 0] = cz * cy
    out[..., 0, 1] = cz * sy * sx - sz * cx
    out[..., 0, 2] = cz * sy * cx + sz * sx
    out[..., 1, 0] = sz * cy
    out[..., 1, 1] = sz * sy * sx + cz * cx
    out[..., 1, 2] = sz * sy * cx - cz * sx
    out[..., 2, 0] = -sy
    out[..., 2, 1] = cy * sx
    out[..., 2, 2] = cy * cx
    return out


def beat_progress(active: np.ndarray, beat: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """How many active beats are done at each frame, ``[T]``: completed active beats plus the ramp of the
    current one. Continuous, non-decreasing, with zero velocity on every beat."""
    active_beats = np.unique(beat[active > 0])
    return np.searchsorted(active_beats, beat) + (active > 0) * ramp(phase)


def generate_dance(style: Style, track: Track, num_frames: int, rng: np.random.Generator) -> Dance:
    """A dance of ``num_frames`` frames at 60 fps for ``track``, drawing moves from ``style.moves``."""
    t = np.arange(num_frames) / FPS
    beat_s = 60.0 / track.tempo_bpm
    beat_position = (t - track.first_beat_s) / beat_s
    beat = np.floor(beat_position).astype(np.int64)
    phase = beat_position - beat
    bar = np.floor_divide(beat, style.beats_per_bar)
    segment = np.floor_divide(np.maximum(bar, 0), BARS_PER_MOVE)  # the lead-in joins the first segment
    num_segments = int(segment.max()) + 1
    moves = tuple(style.moves[i] for i in rng.integers(0, len(style.moves), size=num_segments))
    energy = float(rng.uniform(0.8, 1.2))

    pose = _Pose(
        angles=np.zeros((num_frames, SMPL22.num_joints, 3)),
        turning=np.zeros(num_frames),
        travelling=np.zeros(num_frames),
        lateral=np.zeros(num_frames),
    )
    segment_beats = BARS_PER_MOVE * style.beats_per_bar
    into_segment = beat_position - segment * segment_beats
    fade_in = np.where(segment == 0, 1.0, ramp(np.clip(into_segment, 0.0, 1.0)))
    envelope = fade_in * ramp(np.clip(segment_beats - into_segment, 0.0, 1.0))
    for name in dict.fromkeys(moves):
        mask = np.isin(segment, [i for i, m in enumerate(moves) if m == name]) * envelope
        MOVES[name](pose, mask, beat, phase, energy)

    pose.angles[:, L_SHOULDER, 2] -= np.deg2rad(ARM_REST_DEG)
    pose.angles[:, R_SHOULDER, 2] += np.deg2rad(ARM_REST_DEG)
    heading = float(rng.uniform(-np.pi, np.pi))
    turn_step = 2 * np.pi / style.beats_per_bar / 2  # half a turn per bar
    yaw = heading + turn_step * beat_progress(pose.turning, beat, phase) * float(rng.choice([-1.0, 1.0]))
    pose.angles[:, PELVIS, 1] += yaw

    stride, step_width = 0.35 * energy, 0.3
    distance = stride * beat_progress(pose.travelling, beat, phase)
    step = np.diff(distance, prepend=distance[:1])
    root = np.zeros((num_frames, 3))
    root[:, 0] = np.cumsum(step * np.sin(yaw)) + step_width * pose.lateral * np.cos(yaw)
    root[:, 2] = np.cumsum(step * np.cos(yaw)) - step_width * pose.lateral * np.sin(yaw)
    root[:, [0, 2]] += rng.uniform(-1.0, 1.0, size=2)

    joints = SMPL22.forward_kinematics(euler_to_matrices(pose.angles), root)
    joints[:, :, 1] -= joints[:, list(FEET), 1].min(axis=1, keepdims=True)
    return Dance(joints.astype(np.float32), moves)
