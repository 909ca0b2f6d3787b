"""COCO 17-keypoint bodies → the 24-joint SMPL skeleton, with the joints COCO lacks estimated.

COCO keypoints (AIST++ ``keypoints3d``, most 3-D pose estimators) give the limbs and the face but no spine,
collar, toe or hand joints. :func:`coco17_to_smpl24` keeps the twelve limb keypoints as the SMPL joints of
the same name and places the others from mumo's average body (:data:`mumo.motion.skeleton.SMPL24`), scaled
to the dancer's measured proportions:

- pelvis, spine1, spine2: rest offsets from the middle of the hips, in a trunk frame (up: hips → shoulders,
  left: right hip → left hip);
- spine3, neck, collars: rest offsets from the middle of the shoulders, in the same frame with the
  shoulders' left axis (so the chest turns with the shoulders);
- head: on the line from the neck to the middle of the ears, at the rest neck-to-head length;
- toes: the rest ankle-to-toe offset in a heading frame (world up, the hips' horizontal forward), i.e. the
  foot is taken to point where the hips face and to lie flat;
- hands: the rest wrist-to-hand length along the forearm.

The trunk is rigid between hips and shoulders (a bent spine is not observable from these keypoints), so
these joints are estimates: good for training and for comparing models prepared the same way, not for
metrics meant to match numbers computed on SMPL fits.
"""

from __future__ import annotations

import numpy as np

from mumo.errors import MotionError
from mumo.motion.skeleton import SMPL24
from mumo.motion.units import recognise_unit
from mumo.motion.validate import validate_joints

COCO17_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip

_LIMBS = tuple(name for name in COCO17_NAMES[5:])
"""COCO keypoints that are SMPL joints of the same name (shoulders to ankles)."""
_LOWER_TRUNK = ("pelvis", "spine1", "spine2")
_UPPER_TRUNK = ("spine3", "neck", "left_collar", "right_collar")
_UP = np.array([0.0, 1.0, 0.0])
_EPS = 1e-9


def _coco(keypoints: np.ndarray, name: str) -> np.ndarray:
    return keypoints[:, COCO17_NAMES.index(name)]


def _smpl(joints: np.ndarray, name: str) -> np.ndarray:
    return joints[..., SMPL24.joint_names.index(name), :]


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), _EPS)


def _frame(left: np.ndarray, up: np.ndarray) -> np.ndarray:
    """``[..., 3, 3]`` rows (left, up, forward): ``up`` kept, ``left`` made orthogonal to it, left × up."""
    up = _unit(up)
    left = _unit(left - np.sum(left * up, axis=-1, keepdims=True) * up)
    return np.stack([left, up, np.cross(left, up)], axis=-2)


def coco17_to_smpl24(keypoints: object) -> np.ndarray:
    """SMPL 24-joint positions from COCO 17-keypoint positions (see the module docstring for the method).

    Args:
        keypoints: ``[T, 17, 3]`` in metres, y up, in :data:`COCO17_NAMES` order (left = the dancer's left).

    Returns:
        ``[T, 24, 3]`` joints in metres in SMPL24 order.

    Raises:
        MotionError: wrong shape, NaN/Inf values, or a body whose hips or shoulders coincide.
    """
    keypoints = validate_joints(keypoints, len(COCO17_NAMES))
    rest = SMPL24.rest_joints()
    joints = np.zeros((len(keypoints), SMPL24.num_joints, 3))
    for name in _LIMBS:
        joints[:, SMPL24.joint_names.index(name)] = _coco(keypoints, name)

    hip_line, up, vertical_scale = _place_trunk(joints, keypoints, rest)
    neck = _smpl(joints, "neck")
    ears = (_coco(keypoints, "left_ear") + _coco(keypoints, "right_ear")) / 2
    rest_head = np.linalg.norm(_smpl(rest, "head") - _smpl(rest, "neck")) * vertical_scale
    joints[:, SMPL24.joint_names.index("head")] = neck + rest_head * _unit(ears - neck)
    _place_toes(joints, keypoints, rest, hip_line, up)
    _place_hands(joints, rest)
    return joints


def _place_trunk(
    joints: np.ndarray, keypoints: np.ndarray, rest: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Pelvis, spine, neck and collars from the rest offsets in the trunk frames (module docstring).

    Returns:
        The hip line (right → left hip) ``[T, 3]``, the trunk's up vector (hips → shoulders) ``[T, 3]`` and
        the vertical scale of the dancer's trunk against the average body.
    """
    hips, rest_hips = _midpoint(keypoints, rest, "hip")
    shoulders, rest_shoulders = _midpoint(keypoints, rest, "shoulder")
    up, rest_up = shoulders - hips, rest_shoulders - rest_hips
    hip_line = _coco(keypoints, "left_hip") - _coco(keypoints, "right_hip")
    shoulder_line = _coco(keypoints, "left_shoulder") - _coco(keypoints, "right_shoulder")
    if np.linalg.norm(hip_line, axis=-1).min() < _EPS or np.linalg.norm(shoulder_line, axis=-1).min() < _EPS:
        raise MotionError("keypoints: the left and right hips (or shoulders) coincide in some frame")
    rest_hip_line = _smpl(rest, "left_hip") - _smpl(rest, "right_hip")
    rest_shoulder_line = _smpl(rest, "left_shoulder") - _smpl(rest, "right_shoulder")
    vertical = _median_ratio(up, rest_up)
    scale = np.array([_median_ratio(shoulder_line, rest_shoulder_line), vertical, vertical])
    for names, origin, rest_origin, line, rest_line in (
        (_LOWER_TRUNK, hips, rest_hips, hip_line, rest_hip_line),
        (_UPPER_TRUNK, shoulders, rest_shoulders, shoulder_line, rest_shoulder_line),
    ):
        frame, rest_frame = _frame(line, up), _frame(rest_line, rest_up)
        for name in names:
            local = rest_frame @ (_smpl(rest, name) - rest_origin)  # (left, up, forward) coordinates
            joints[:, SMPL24.joint_names.index(name)] = origin + (local * scale) @ frame
    return hip_line, up, vertical


def _midpoint(keypoints: np.ndarray, rest: np.ndarray, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Middle of the left and right ``part`` per frame ``[T, 3]`` and in the rest pose ``[3]``."""
    left, right = f"left_{part}", f"right_{part}"
    middle = (_coco(keypoints, left) + _coco(keypoints, right)) / 2
    return middle, (_smpl(rest, left) + _smpl(rest, right)) / 2


def _median_ratio(vectors: np.ndarray, rest_vector: np.ndarray) -> float:
    """Median length of ``vectors`` ``[T, 3]`` over the length of ``rest_vector`` ``[3]``."""
    return float(np.median(np.linalg.norm(vectors, axis=-1)) / np.linalg.norm(rest_vector))


def _place_toes(
    joints: np.ndarray, keypoints: np.ndarray, rest: np.ndarray, hip_line: np.ndarray, up: np.ndarray
) -> None:
    """Toes from the ankles: the rest foot offset in the heading frame, scaled by leg length."""
    trunk_forward = np.cross(_unit(hip_line), _unit(up))
    hip_forward = np.cross(_unit(hip_line), _UP)
    forward = trunk_forward + hip_forward
    forward[:, 1] = 0.0
    forward = _unit(forward)
    heading = np.stack([np.cross(_UP, forward), np.broadcast_to(_UP, forward.shape), forward], axis=1)
    for side in ("left", "right"):
        leg = (f"{side}_hip", f"{side}_knee", f"{side}_ankle")
        scale = _chain_length(keypoints, leg) / _rest_chain_length(rest, leg)
        ankle = _smpl(joints, f"{side}_ankle")
        offset = _smpl(rest, f"{side}_foot") - _smpl(rest, f"{side}_ankle")
        joints[:, SMPL24.joint_names.index(f"{side}_foot")] = ankle + (offset * scale) @ heading


def _place_hands(joints: np.ndarray, rest: np.ndarray) -> None:
    """Hands from the wrists: the rest hand length along the forearm, scaled by forearm length."""
    for side in ("left", "right"):
        elbow, wrist = _smpl(joints, f"{side}_elbow"), _smpl(joints, f"{side}_wrist")
        rest_forearm = np.linalg.norm(_smpl(rest, f"{side}_wrist") - _smpl(rest, f"{side}_elbow"))
        rest_hand = np.linalg.norm(_smpl(rest, f"{side}_hand") - _smpl(rest, f"{side}_wrist"))
        scale = float(np.median(np.linalg.norm(wrist - elbow, axis=-1)) / rest_forearm)
        joints[:, SMPL24.joint_names.index(f"{side}_hand")] = wrist + rest_hand * scale * _unit(wrist - elbow)


def _chain_length(keypoints: np.ndarray, names: tuple[str, ...]) -> float:
    """Median over frames of the summed distances between consecutive named keypoints."""
    points = keypoints[:, [COCO17_NAMES.index(name) for name in names]]
    return float(np.median(np.linalg.norm(np.diff(points, axis=1), axis=-1).sum(axis=1)))


def _rest_chain_length(rest: np.ndarray, names: tuple[str, ...]) -> float:
    """The same length on the rest-pose SMPL joints ``rest`` ``[24, 3]``."""
    points = rest[[SMPL24.joint_names.index(name) for name in names]]
    return float(np.linalg.norm(np.diff(points, axis=0), axis=-1).sum())


def recognise_keypoint_unit(keypoints: np.ndarray) -> float:
    """Units per metre (1, 100 or 1000) of keypoints ``[T, 17, 3]``, from the ankle-to-shoulder length."""
    chain = ("left_ankle", "left_knee", "left_hip", "left_shoulder")
    return recognise_unit(_chain_length(keypoints, chain), _rest_chain_length(SMPL24.rest_joints(), chain))
