"""Any BVH skeleton as SMPL22 joints: ``[T, 22, 3]`` positions in metres, y up, at the file's frame rate.

The file's skeleton is recognised from its joint names (:mod:`mumo.motion.skeleton_maps`), and each SMPL22
joint takes the position of the joint mapped to it. Joints the skeleton lacks are placed from the others:

- ``spine1..3`` along the skeleton's own spine (the chain of its joints from the pelvis to the neck), at the
  fractions of its length where SMPL's average body has them, so a bent back stays bent;
- the toes (``left_foot``/``right_foot``) along the ankle's end site, at SMPL's ankle-to-toe length scaled
  by the leg's length.

Size and placement: a skeleton that places its joints as SMPL does (the ``smpl`` map, mumo's own exports)
keeps its size in metres (unit recognised: m, cm or mm) and its placement. Other skeletons are scaled
uniformly to mumo's average adult (ankle to head along the bones as
:data:`~mumo.motion.skeleton.SMPL22`, whatever the file's unit: cm, inches, scaled metres) and lifted so
their lowest joint is on the floor (y = 0), like the dataset adapters' clips. Proportions are the
performer's own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mumo.errors import MotionError
from mumo.motion.bvh import BvhAnimation, check_unit, read_bvh_animation
from mumo.motion.skeleton import SMPL22
from mumo.motion.skeleton_maps import SPINE, SkeletonMap, canonical_joint_name, find_skeleton_map
from mumo.motion.units import recognise_unit

BODY_CHAIN = (
    "left_ankle", "left_knee", "left_hip", "pelvis", "spine1", "spine2", "spine3", "neck", "head",
)  # fmt: skip
"""The joints whose bones, summed, measure a body's size (ankle to head)."""
_INDEX = {name: joint for joint, name in enumerate(SMPL22.joint_names)}


def _chain_length(joints: np.ndarray, chain: tuple[str, ...]) -> np.ndarray:
    """Summed length of the bones along ``chain``, ``[...]`` for joints ``[..., 22, 3]``."""
    points = joints[..., [_INDEX[name] for name in chain], :]
    return np.linalg.norm(np.diff(points, axis=-2), axis=-1).sum(axis=-1)


def _body_size(joints: np.ndarray) -> float:
    """Median ankle-to-head length along the bones of a clip ``[T, 22, 3]`` (its unit)."""
    return float(np.median(_chain_length(joints, BODY_CHAIN)))


STANDARD_BODY_M = float(_chain_length(SMPL22.rest_joints(), BODY_CHAIN))
"""Ankle-to-head length along the bones of mumo's average adult body, metres (about 1.5 m)."""


def recognise_joints_unit(joints: np.ndarray) -> float:
    """The length unit of SMPL22 joints ``[T, 22, 3]`` told from the body's size: 1 (metres), 100
    (centimetres) or 1000 (millimetres); divide the joints by it to get metres."""
    return recognise_unit(_body_size(joints), STANDARD_BODY_M)


def read_bvh_smpl22(
    path: str | Path, units_per_metre: float | None = None, skeleton_map: SkeletonMap | None = None
) -> tuple[np.ndarray, float]:
    """SMPL22 joints ``[T, 22, 3]`` (metres, y up) and frame rate (fps) of a BVH file of a known skeleton.

    Args:
        path: the ``.bvh`` file.
        units_per_metre: the file's length unit; ``None``: recognised (SMPL skeletons) or scaled to the
            average adult (others; see the module docstring).
        skeleton_map: which joint is which; ``None`` picks the first of
            :data:`~mumo.motion.skeleton_maps.KNOWN_MAPS` whose joints are all in the file.

    Raises:
        MotionError: a skeleton no map fits (naming the joints it lacks and how to map it), a body that is not
            upright along +y, or a malformed file.
    """
    if units_per_metre is not None:
        check_unit(units_per_metre)
    animation = read_bvh_animation(path)
    if skeleton_map is None:
        skeleton_map = find_skeleton_map(animation.joint_names, str(path))
    elif missing := skeleton_map.missing_from(animation.joint_names):
        raise MotionError(
            f"{path}: joints {', '.join(missing)} of the skeleton map {skeleton_map.name!r} are not in it"
        )
    joints = _mapped_joints(animation, skeleton_map, str(path))
    if skeleton_map.smpl_body:
        unit = units_per_metre or recognise_unit(_body_size(joints), STANDARD_BODY_M)
        return joints / unit, animation.fps
    _check_upright(joints, str(path))
    joints = joints / (units_per_metre or _body_size(joints) / STANDARD_BODY_M)
    joints[..., 1] -= joints[..., 1].min()
    return joints, animation.fps


def _mapped_joints(animation: BvhAnimation, skeleton_map: SkeletonMap, where: str) -> np.ndarray:
    """``[T, 22, 3]`` SMPL22 joints in the file's unit: mapped joints, then the missing ones placed."""
    index = {canonical_joint_name(name): joint for joint, name in enumerate(animation.joint_names)}
    source = {smpl: index[canonical_joint_name(name)] for smpl, name in skeleton_map.joints.items()}
    joints = np.zeros((len(animation.positions), SMPL22.num_joints, 3))
    for smpl, joint in source.items():
        joints[:, _INDEX[smpl]] = animation.positions[:, joint]
    if SPINE[0] not in source:
        spine = _chain_between(animation.parents, source["pelvis"], source["neck"])
        spine_joints = _along(animation.positions[:, spine], _spine_fractions())
        joints[:, [_INDEX[name] for name in SPINE]] = spine_joints
    for side in ("left", "right"):
        if f"{side}_foot" not in source:
            joints[:, _INDEX[f"{side}_foot"]] = _toe(joints, animation, source[f"{side}_ankle"], side, where)
    return joints


def _chain_between(parents: tuple[int, ...], top: int, bottom: int) -> list[int]:
    """Joints from ``top`` down to its descendant ``bottom`` (the two alone if ``bottom`` is not below it)."""
    chain = [bottom]
    while chain[-1] != top and parents[chain[-1]] >= 0:
        chain.append(parents[chain[-1]])
    return chain[::-1] if chain[-1] == top else [top, bottom]


def _spine_fractions() -> np.ndarray:
    """``[3]`` where spine1..3 lie along the average body's spine, as fractions of pelvis-to-neck length."""
    rest = SMPL22.rest_joints()
    chain = ("pelvis", *SPINE, "neck")
    steps = np.linalg.norm(np.diff(rest[[_INDEX[name] for name in chain]], axis=0), axis=-1)
    return np.cumsum(steps)[:-1] / steps.sum()


def _along(polyline: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Points ``[T, S, 3]`` at ``fractions`` ``[S]`` of the length of each frame's polyline ``[T, K, 3]``."""
    steps = np.linalg.norm(np.diff(polyline, axis=1), axis=-1)  # [T, K-1]
    reached = np.concatenate([np.zeros((len(steps), 1)), np.cumsum(steps, axis=1)], axis=1)  # [T, K]
    target = fractions[None] * reached[:, -1:]  # [T, S]
    segment = (reached[:, None, 1:-1] <= target[..., None]).sum(axis=-1)  # [T, S] in 0..K-2
    start = np.take_along_axis(polyline, segment[..., None], axis=1)  # [T, S, 3]
    end = np.take_along_axis(polyline, segment[..., None] + 1, axis=1)
    length = np.take_along_axis(steps, segment, axis=1)
    share = (target - np.take_along_axis(reached, segment, axis=1)) / np.maximum(length, 1e-12)
    return start + share[..., None] * (end - start)


def _toe(joints: np.ndarray, animation: BvhAnimation, ankle: int, side: str, where: str) -> np.ndarray:
    """``[T, 3]`` toe joint on the line from the ankle to its end site, at SMPL's length for this leg."""
    if ankle not in animation.end_sites:
        raise MotionError(
            f"{where}: {animation.joint_names[ankle]} has no end site to place the toes by; "
            f"map {side}_foot to the skeleton's toe joint"
        )
    leg, foot = (f"{side}_hip", f"{side}_knee", f"{side}_ankle"), (f"{side}_ankle", f"{side}_foot")
    rest = SMPL22.rest_joints()
    length = _chain_length(joints, leg) * (_chain_length(rest, foot) / _chain_length(rest, leg))  # [T]
    direction = animation.end_sites[ankle] - animation.positions[:, ankle]
    unit = direction / np.linalg.norm(direction, axis=-1, keepdims=True)
    return animation.positions[:, ankle] + length[:, None] * unit


def _check_upright(joints: np.ndarray, where: str) -> None:
    """Raise unless the body stands along +y on average (ankles to head)."""
    ankles = joints[:, [_INDEX["left_ankle"], _INDEX["right_ankle"]]].mean(axis=1)
    up = (joints[:, _INDEX["head"]] - ankles).mean(axis=0)
    if np.argmax(np.abs(up)) != 1 or up[1] <= 0:
        raise MotionError(
            f"{where}: the body is not upright along +y (mean ankle-to-head direction "
            f"{np.round(up / np.linalg.norm(up), 2).tolist()}); mumo reads y-up BVH files"
        )
