"""BVH animation files: export of SMPL22 joint positions, and import of any BVH skeleton (as SMPL22 joints:
:mod:`mumo.motion.retarget`).

Files are written in metres by default (``units_per_metre`` = 1; Blender imports them at their real size
with its default scale 1; pass 100 for centimetres), y up, with the SMPL22 joint names, the root's OFFSET at
zero and its position channels holding its absolute position, angles in degrees. Each joint's Euler order
(intrinsic, as its CHANNELS line lists them; :data:`EULER_ORDERS`) keeps gimbal lock away from the poses it
takes: the root turns about y first (``Yrotation Xrotation Zrotation``: ``R = Ry Rx Rz``), so turns on the
spot never lock; the other joints put the axis of their bone in the middle (``Z X Y`` for the arms, ``Z Y X``
for legs and spine, ``X Z Y`` for the feet), which a swing without twist reaches only at a half turn. From
frame to frame each joint keeps the equivalent angle triple (``a, b, c`` or ``a + 180, 180 - b, c + 180``,
plus whole turns) nearest the previous one, so the curves have no wraps or flips.

Positions become rotations by inverse kinematics. Bone offsets have the dance's own bone lengths (median over
frames) along the rest-pose directions of :data:`~mumo.motion.skeleton.SMPL22`, except the bones leaving the
pelvis and spine3, whose directions are the dance's own mean directions in their joint's frame (a body's hip
and shoulder spread differ from the SMPL average, and no rotation could make up for it). Joints are solved
root first, each aiming at the true positions of its children from where the file already places it: a joint
with one child turns by the smallest rotation that points its bone there (no twist, so rotations vary
smoothly), a joint with several children (pelvis, spine3) by the least-squares rotation of all its child
offsets. With constant bone lengths, reading the file back gives the joints to within micrometres; when bone
lengths vary from frame to frame (joints decoded from features, noisy captures) each joint is off by about its
own bone's deviation from the median length, and the errors do not add up along the chain (bones whose
lengths wander by 7 mm rms: 6.5 mm mean joint error).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from mumo.errors import MotionError
from mumo.files import write_text_atomically
from mumo.motion.rotations import rotation_between
from mumo.motion.skeleton import SMPL22
from mumo.motion.validate import validate_fps, validate_joints

_CHILDREN: tuple[tuple[int, ...], ...] = tuple(
    tuple(c for c, p in enumerate(SMPL22.parents) if p == joint) for joint in range(SMPL22.num_joints)
)
_AXIS = {"Xrotation": "X", "Yrotation": "Y", "Zrotation": "Z"}
_POSITION = ("Xposition", "Yposition", "Zposition")
_ORDER_WITH_MIDDLE_AXIS = {0: "ZXY", 1: "ZYX", 2: "XZY"}


def _euler_order(joint: int) -> str:
    if joint == 0:
        return "YXZ"
    children = _CHILDREN[joint]
    bone = SMPL22.rest_offsets[list(children)].mean(axis=0) if children else SMPL22.rest_offsets[joint]
    return _ORDER_WITH_MIDDLE_AXIS[int(np.argmax(np.abs(bone)))]


EULER_ORDERS: tuple[str, ...] = tuple(_euler_order(joint) for joint in range(SMPL22.num_joints))
"""Intrinsic Euler order of each SMPL22 joint's rotation channels in written files."""


@dataclass(frozen=True)
class BvhAnimation:
    """A BVH file's skeleton and motion.

    Attributes:
        joint_names: ``J`` names in the order of the hierarchy (end sites left out), parents first.
        parents: ``J`` parent indices, ``-1`` for the root.
        positions: ``[T, J, 3]`` joint positions in the file's length unit.
        fps: frame rate, frames per second.
        end_sites: ``{joint index: [T, 3]}`` positions of the end sites (the tips of the leaf bones: toes,
            fingertips, top of the head), file units.
    """

    joint_names: tuple[str, ...]
    parents: tuple[int, ...]
    positions: np.ndarray
    fps: float
    end_sites: dict[int, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class _BvhJoint:
    name: str
    parent: int
    offset: np.ndarray
    channels: tuple[str, ...]
    end_offset: np.ndarray | None = None


def write_bvh(joints: np.ndarray, fps: float, path: str | Path, units_per_metre: float = 1.0) -> Path:
    """Write SMPL22 joints ``[T, 22, 3]`` (metres, y up) at ``fps`` as a BVH file, atomically.

    Args:
        units_per_metre: length unit of the file (1 = metres, 100 = centimetres).

    Returns:
        ``path``. Each frame holds 6 + 3 * 21 = 69 values.

    Raises:
        MotionError: not ``[T, 22, 3]`` finite joints, a bone of zero length, a bad frame rate or unit.
    """
    joints = validate_joints(joints, expected_joints=22)
    fps = validate_fps(fps)
    check_unit(units_per_metre)
    offsets = _bone_offsets(joints)
    euler = _continuous_euler(_local_rotations(joints, offsets))
    order = _depth_first(0)  # the order the hierarchy lists the joints, and so their channels
    frames = np.concatenate(
        [joints[:, 0] * units_per_metre, euler[:, order].reshape(len(joints), -1)], axis=1
    )
    text = _hierarchy(offsets, units_per_metre) + _motion(frames, fps)
    return write_text_atomically(path, text)


def read_bvh_animation(path: str | Path) -> BvhAnimation:
    """Parse any BVH file (any channel order, Euler order and length unit) and pose its skeleton.

    Raises:
        MotionError: missing file, or a malformed hierarchy or motion section (naming the file and line).
    """
    path = Path(path)
    if not path.is_file():
        raise MotionError(f"{path}: BVH file not found")
    lines = path.read_text(errors="replace").splitlines()
    hierarchy, motion_line = _parse_hierarchy(lines, path)
    values, frame_time = _parse_motion(lines, motion_line, sum(len(j.channels) for j in hierarchy), path)
    positions, end_sites = _forward_kinematics(hierarchy, values)
    return BvhAnimation(
        joint_names=tuple(joint.name for joint in hierarchy),
        parents=tuple(joint.parent for joint in hierarchy),
        positions=positions,
        fps=_frame_rate(frame_time),
        end_sites=end_sites,
    )


def read_bvh(path: str | Path, units_per_metre: float = 1.0) -> tuple[np.ndarray, float]:
    """Joint positions ``[T, J, 3]`` in metres of any BVH file (its own skeleton), and its fps.

    Args:
        units_per_metre: the file's length unit (1 = metres, 100 = centimetres as in most BVH files).

    Raises:
        MotionError: missing file, or a malformed hierarchy or motion section (naming the file and line).
    """
    check_unit(units_per_metre)
    animation = read_bvh_animation(path)
    return animation.positions / units_per_metre, animation.fps


def check_unit(units_per_metre: float) -> None:
    """Raise :class:`MotionError` unless ``units_per_metre`` is a positive finite length unit."""
    if not (np.isfinite(units_per_metre) and units_per_metre > 0):
        raise MotionError(
            f"units_per_metre must be a positive number (100 for centimetres), got {units_per_metre}"
        )


def _depth_first(joint: int) -> list[int]:
    return [joint] + [j for child in _CHILDREN[joint] for j in _depth_first(child)]


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def _bone_offsets(joints: np.ndarray) -> np.ndarray:
    """``[22, 3]`` offsets (metres) of each joint from its parent in the file's rest pose (root: zero)."""
    parents = list(SMPL22.parents[1:])
    lengths = np.median(np.linalg.norm(joints[:, 1:] - joints[:, parents], axis=-1), axis=0)
    if (short := np.flatnonzero(lengths < 1e-6)).size:
        bones = ", ".join(f"{SMPL22.joint_names[parents[i]]}-{SMPL22.joint_names[i + 1]}" for i in short)
        raise MotionError(f"joints: bones {bones} have zero length; these are not SMPL22 joint positions")
    directions = np.concatenate([np.zeros((1, 3)), _unit(SMPL22.rest_offsets[1:])])
    for joint, children in enumerate(_CHILDREN):
        if len(children) > 1:  # the dance's own spread of these bones, in the joint's best-fit frame
            bones = joints[:, list(children)] - joints[:, joint : joint + 1]
            frames = _fit_rotation(directions[list(children)] * lengths[np.array(children) - 1, None], bones)
            directions[list(children)] = _unit(np.einsum("tji,tcj->ci", frames, bones))
    return directions * np.concatenate([[0.0], lengths])[:, None]


def _local_rotations(joints: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``[T, 22, 3, 3]`` local rotations that carry the offsets onto the joints' bones."""
    num_frames = len(joints)
    identity = np.broadcast_to(np.eye(3), (num_frames, 3, 3))
    world = np.zeros((num_frames, 22, 3, 3))
    local = np.broadcast_to(np.eye(3), (num_frames, 22, 3, 3)).copy()
    placed = np.zeros((num_frames, 22, 3))  # where the file puts each joint
    for joint, parent in enumerate(SMPL22.parents):
        parent_world = world[:, parent] if parent >= 0 else identity
        placed[:, joint] = joints[:, 0] if parent < 0 else placed[:, parent] + parent_world @ offsets[joint]
        children = list(_CHILDREN[joint])
        if not children:
            world[:, joint] = parent_world
            continue
        aims = joints[:, children] - placed[:, joint, None]  # [T, C, 3]
        if len(children) == 1:  # swing only: from where the bone points unrotated to where it should point
            world[:, joint] = rotation_between(parent_world @ offsets[children[0]], aims[:, 0]) @ parent_world
        else:
            world[:, joint] = _fit_rotation(offsets[children], aims)
        local[:, joint] = np.swapaxes(parent_world, -1, -2) @ world[:, joint]
    return local


def _fit_rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least-squares rotations ``[T, 3, 3]`` taking ``source`` ``[C, 3]`` onto ``target`` ``[T, C, 3]``."""
    covariance = np.einsum("tci,cj->tij", target, source)
    u, _, vt = np.linalg.svd(covariance)
    correction = np.broadcast_to(np.eye(3), covariance.shape).copy()
    correction[:, 2, 2] = np.sign(np.linalg.det(u @ vt))
    return u @ correction @ vt


def _continuous_euler(local: np.ndarray) -> np.ndarray:
    """``[T, 22, 3]`` angles (degrees, :data:`EULER_ORDERS`) of ``[T, 22, 3, 3]`` rotations, without jumps."""
    num_frames = len(local)
    with warnings.catch_warnings():  # at gimbal lock any split of the first and third angle is exact
        warnings.filterwarnings("ignore", message="Gimbal lock detected")
        euler = np.stack(
            [
                Rotation.from_matrix(local[:, j]).as_euler(order, degrees=True)
                for j, order in enumerate(EULER_ORDERS)
            ],
            axis=1,
        )
    twin = euler + np.array([180.0, 0.0, 180.0])  # the same rotation: (a + 180, 180 - b, c + 180)
    twin[..., 1] = 180.0 - euler[..., 1]
    columns = np.arange(euler.shape[1])
    result = np.empty_like(euler)
    result[0] = euler[0]
    for frame in range(1, num_frames):
        candidates = np.stack([euler[frame], twin[frame]])  # [2, 22, 3]
        candidates -= 360.0 * np.round((candidates - result[frame - 1]) / 360.0)
        nearest = np.abs(candidates - result[frame - 1]).sum(axis=-1).argmin(axis=0)
        result[frame] = candidates[nearest, columns]
    return result


def _hierarchy(offsets: np.ndarray, units_per_metre: float) -> str:
    lines = ["HIERARCHY"]

    def write(joint: int, depth: int) -> None:
        pad = "  " * depth
        rotations = " ".join(f"{axis}rotation" for axis in EULER_ORDERS[joint])
        channels = f"6 {' '.join(_POSITION)} {rotations}" if joint == 0 else f"3 {rotations}"
        keyword = "ROOT" if joint == 0 else "JOINT"
        lines.extend(
            [
                f"{pad}{keyword} {SMPL22.joint_names[joint]}",
                f"{pad}{{",
                f"{pad}  OFFSET {_row(offsets[joint] * units_per_metre)}",
                f"{pad}  CHANNELS {channels}",
            ]
        )
        for child in _CHILDREN[joint]:
            write(child, depth + 1)
        if not _CHILDREN[joint]:  # an end site 10 cm further along the last bone
            end = _unit(offsets[joint]) * 0.1 * units_per_metre
            lines.extend([f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET {_row(end)}", f"{pad}  }}"])
        lines.append(f"{pad}}}")

    write(0, 0)
    return "\n".join(lines) + "\n"


def _motion(frames: np.ndarray, fps: float) -> str:
    rows = "\n".join(_row(frame) for frame in frames)
    return f"MOTION\nFrames: {len(frames)}\nFrame Time: {1.0 / fps:.8f}\n{rows}\n"


def _row(values: np.ndarray) -> str:
    return " ".join(f"{v:.6f}" for v in values)


def _parse_hierarchy(lines: list[str], path: Path) -> tuple[list[_BvhJoint], int]:
    """The joints (end sites left out) and the index of the ``MOTION`` line."""
    joints: list[_BvhJoint] = []
    stack: list[int] = []
    name: str | None = None
    offset = np.zeros(3)
    in_end_site = False
    for number, raw in enumerate(lines):
        words = raw.split()
        if not words or words[0] in ("HIERARCHY", "{"):
            continue
        key, where = words[0], f"{path}:{number + 1}"
        if key == "MOTION":
            if stack or name is not None:
                raise MotionError(f"{where}: MOTION before the hierarchy's braces close")
            if not joints:
                raise MotionError(f"{where}: no joints before MOTION")
            return joints, number
        if key in ("ROOT", "JOINT"):
            if len(words) < 2:
                raise MotionError(f"{where}: {key} without a name")
            name, offset = " ".join(words[1:]), np.zeros(3)
        elif key == "End":
            if not stack:
                raise MotionError(f"{where}: End Site outside a joint")
            in_end_site = True
        elif key == "OFFSET" and in_end_site:
            joints[stack[-1]] = replace(joints[stack[-1]], end_offset=_numbers(words[1:], 3, where))
        elif key == "OFFSET":
            if name is None:
                raise MotionError(f"{where}: OFFSET outside a joint")
            offset = _numbers(words[1:], 3, where)
        elif key == "CHANNELS" and not in_end_site:
            if name is None:
                raise MotionError(f"{where}: CHANNELS outside a joint")
            count = int(_numbers(words[1:2], 1, where)[0])
            channels = tuple(words[2:])
            if len(channels) != count or any(c not in _AXIS and c not in _POSITION for c in channels):
                raise MotionError(f"{where}: CHANNELS should list {count} of X/Y/Z position/rotation")
            joints.append(_BvhJoint(name, stack[-1] if stack else -1, offset, channels))
            stack.append(len(joints) - 1)
            name = None
        elif key == "}":
            if in_end_site:
                in_end_site = False
            elif stack:
                stack.pop()
            else:
                raise MotionError(f"{where}: unbalanced closing brace")
    raise MotionError(f"{path}: no MOTION section (the file ends inside the hierarchy)")


def _parse_motion(lines: list[str], start: int, width: int, path: Path) -> tuple[np.ndarray, float]:
    """Channel values ``[T, width]`` and the frame time (seconds) of the MOTION section at ``start``."""
    header = {}
    for offset, key in ((1, "Frames:"), (2, "Frame Time:")):
        line = lines[start + offset] if start + offset < len(lines) else ""
        match = re.fullmatch(rf"\s*{key}\s*(\S+)\s*", line)
        if match is None:
            raise MotionError(f"{path}:{start + offset + 1}: expected '{key} <number>'")
        header[key] = _numbers([match[1]], 1, f"{path}:{start + offset + 1}")[0]
    num_frames, frame_time = header["Frames:"], header["Frame Time:"]
    if num_frames != int(num_frames) or num_frames < 1:
        raise MotionError(
            f"{path}:{start + 2}: the frame count must be a positive whole number, got {num_frames}"
        )
    if frame_time <= 0:
        raise MotionError(f"{path}:{start + 3}: frame time must be positive, got {frame_time}")
    rows = [(number, row) for number, row in enumerate(lines[start + 3 :], start + 4) if row.strip()]
    if len(rows) != num_frames:
        raise MotionError(
            f"{path}: the header announces {int(num_frames)} frames, the file holds {len(rows)} "
            f"(truncated or damaged after line {start + 3 + len(rows)})"
        )
    values = np.zeros((len(rows), width))
    for frame, (number, row) in enumerate(rows):
        values[frame] = _numbers(row.split(), width, f"{path}:{number}")
        if not np.isfinite(values[frame]).all():
            raise MotionError(f"{path}:{number}: NaN or Inf among the channel values")
    return values, frame_time


def _frame_rate(frame_time: float) -> float:
    """Frames per second of a frame time in seconds; a whole number when the file rounded the time
    (``0.008333`` is 120 fps)."""
    fps = 1.0 / frame_time
    return float(round(fps)) if abs(fps - round(fps)) < 1e-4 * fps else round(fps, 3)


def _numbers(words: list[str], count: int, where: str) -> np.ndarray:
    if len(words) != count:
        raise MotionError(f"{where}: expected {count} number(s), found {len(words)}")
    try:
        return np.array([float(w) for w in words])
    except ValueError:
        raise MotionError(f"{where}: not a number among {' '.join(words)!r}") from None


def _forward_kinematics(
    hierarchy: list[_BvhJoint], values: np.ndarray
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Joint positions ``[T, J, 3]`` and end-site positions ``{joint: [T, 3]}`` (file units) from the channel
    values ``[T, C]``."""
    num_frames = len(values)
    world = np.zeros((num_frames, len(hierarchy), 3, 3))
    positions = np.zeros((num_frames, len(hierarchy), 3))
    column = 0
    for index, joint in enumerate(hierarchy):
        channels = values[:, column : column + len(joint.channels)]
        column += len(joint.channels)
        rotation = np.broadcast_to(np.eye(3), (num_frames, 3, 3))
        axes = "".join(_AXIS[c] for c in joint.channels if c in _AXIS)
        if axes:  # intrinsic rotations in the listed order: R = R_first R_second R_third
            angles = channels[:, [i for i, c in enumerate(joint.channels) if c in _AXIS]]
            rotation = Rotation.from_euler(axes, angles, degrees=True).as_matrix()
        translation = np.broadcast_to(joint.offset, (num_frames, 3)).copy()
        for axis, name in enumerate(_POSITION):
            if name in joint.channels:
                translation[:, axis] = channels[:, joint.channels.index(name)]
        if joint.parent < 0:
            world[:, index], positions[:, index] = rotation, translation
        else:
            parent_world = world[:, joint.parent]
            world[:, index] = parent_world @ rotation
            positions[:, index] = positions[:, joint.parent] + np.einsum(
                "tij,tj->ti", parent_world, translation
            )
    end_sites = {
        index: positions[:, index] + world[:, index] @ joint.end_offset
        for index, joint in enumerate(hierarchy)
        if joint.end_offset is not None
    }
    return positions, end_sites
