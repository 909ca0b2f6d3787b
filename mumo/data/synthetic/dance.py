"""Procedural dances on the 22-joint skeleton, phase-locked to a track's beats.

Every move is a function of the beat phase: body parts travel between two poses along the ramp
``r(phi) = phi - sin(2 pi phi) / (2 pi)`` (phi in [0, 1) within a beat), whose velocity ``1 - cos(2 pi phi)``
vanishes at every beat. So the body comes to rest exactly on the musical beats: the kinematic beats (minima of
joint speed) fall on the music's beats. Poses are joint rotations applied by forward kinematics, so bone
lengths stay constant; moves name the standing foot, and the root follows from keeping that foot planted
(:mod:`mumo.data.synthetic.foot_contact`), with the lowest foot on the floor (y = 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mumo.data.synthetic.foot_contact import height_stance, plant_feet
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
L_ANKLE, R_ANKLE = 7, 8
SPINE3, NECK, L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW = 9, 12, 16, 17, 18, 19
SHOULDERS = (L_SHOULDER, R_SHOULDER)
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
        angles: ``[T, 22, 3]`` radians about x, y and z of each joint's local rotation (see
            :func:`local_rotations`); negative x swings a leg or an arm forward.
        turning: ``[T]`` 1 where the dancer turns by one turn step per beat.
        left_stance: ``[T]`` sum over moves of (move weight x 1 if the left foot stands, 0 if the right does).
        stance_weight: ``[T]`` sum of the weights of the moves that named a standing foot.
    """

    angles: np.ndarray
    turning: np.ndarray
    left_stance: np.ndarray
    stance_weight: np.ndarray

    def stand_on(self, left: np.ndarray, mask: np.ndarray) -> None:
        """Name the standing foot (``left`` 1 = left, 0 = right) where ``mask`` > 0."""
        self.left_stance += mask * left
        self.stance_weight += mask


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


def _bump(phase: np.ndarray) -> np.ndarray:
    """0 → 1 → 0 over a beat, resting on every beat."""
    return 0.5 * (1.0 - np.cos(2 * np.pi * phase))


def _lift_leg(pose: _Pose, left: np.ndarray, lift: np.ndarray) -> None:
    """Raise the left (where ``left``) or right foot, kept level: hip forward by ``lift`` radians, knee back
    by twice that, ankle up by ``lift``."""
    for hip, knee, ankle, side in ((L_HIP, L_KNEE, L_ANKLE, left), (R_HIP, R_KNEE, R_ANKLE, ~left)):
        pose.angles[:, hip, 0] -= lift * side
        pose.angles[:, knee, 0] += 2 * lift * side
        pose.angles[:, ankle, 0] -= lift * side


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
    """Four beats: the leading leg steps out (lifted) as the arms open, the body moves over it and the other
    foot closes in (touch); the lead alternates left, right."""
    left_leads = (beat // 2) % 2 == 0
    stepping = beat % 2 == 0
    out = np.deg2rad(8.0 * energy) * _there_and_back(beat, phase) * mask
    lift = np.deg2rad(30.0) * _bump(phase) * mask
    pose.angles[:, L_HIP, 2] += out * left_leads
    pose.angles[:, R_HIP, 2] -= out * ~left_leads
    lifts_left = left_leads == stepping
    _lift_leg(pose, lifts_left, lift)
    pose.stand_on(~lifts_left, mask)
    open_arms = np.deg2rad(50.0 * energy) * _bump(phase) * stepping * mask  # arms open as the leg steps out
    pose.angles[:, L_SHOULDER, 2] += open_arms
    pose.angles[:, R_SHOULDER, 2] -= open_arms
    lean = np.deg2rad(8.0) * _there_and_back(beat, phase) * mask
    pose.angles[:, SPINE2, 2] += np.where(left_leads, -lean, lean)


def _travel(pose: _Pose, mask, beat, phase, energy) -> None:
    """Marching forward: one step per beat, the swinging leg goes from behind to in front with a raised knee
    while the other pushes the body over the standing foot; arms swing against the legs."""
    left_swings = beat % 2 == 0
    stride = np.deg2rad(11.0 * energy) * (2 * ramp(phase) - 1) * mask
    left_forward = np.where(left_swings, stride, -stride)
    pose.angles[:, L_HIP, 0] -= left_forward
    pose.angles[:, R_HIP, 0] += left_forward
    _lift_leg(pose, left_swings, np.deg2rad(45.0) * _bump(phase) * mask)
    pose.angles[:, L_SHOULDER, 0] += 1.5 * left_forward
    pose.angles[:, R_SHOULDER, 0] -= 1.5 * left_forward
    pose.stand_on(~left_swings, mask)


def _kick_step(pose: _Pose, mask, beat, phase, energy) -> None:
    kick = np.deg2rad(60.0 * energy) * _there_and_back(beat, phase) * mask
    left_kicks = (beat // 2) % 2 == 0
    pose.angles[:, L_HIP, 0] -= kick * left_kicks
    pose.angles[:, R_HIP, 0] -= kick * ~left_kicks
    _lift_leg(pose, left_kicks, np.deg2rad(45.0) * _bump(phase) * mask)
    pose.stand_on(~left_kicks, mask)
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
    for hip in (L_HIP, R_HIP):  # both feet shift sideways under the body: the hips sway over planted feet
        pose.angles[:, hip, 2] += 0.4 * sway
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


def local_rotations(angles: np.ndarray) -> np.ndarray:
    """Local rotation matrices ``[T, J, 3, 3]`` of a pose ``[T, J, 3]`` (radians about x, y, z).

    Every joint uses ``Rz Ry Rx`` except the shoulders, which use ``Rx Rz Ry``: their z angle lowers or raises
    the arm sideways and their x angle then swings it forward (negative) or back (positive), like the hips.
    """
    matrices = euler_to_matrices(angles)
    shoulders = list(SHOULDERS)
    swing = np.zeros((*angles.shape[:-2], len(shoulders), 3))
    swing[..., 0] = angles[..., shoulders, 0]
    side = angles[..., shoulders, :].copy()
    side[..., 0] = 0.0
    matrices[..., shoulders, :, :] = euler_to_matrices(swing) @ euler_to_matrices(side)
    return matrices


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
        left_stance=np.zeros(num_frames),
        stance_weight=np.zeros(num_frames),
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

    body = SMPL22.forward_kinematics(local_rotations(pose.angles), np.zeros((num_frames, 3)))
    named = np.minimum(pose.stance_weight, 1.0)
    named_stance = pose.left_stance / np.maximum(pose.stance_weight, 1e-9)
    left_stance = named * named_stance + (1.0 - named) * height_stance(body)
    joints = plant_feet(body, left_stance, rng.uniform(-1.0, 1.0, size=2))
    return Dance(joints.astype(np.float32), moves)
