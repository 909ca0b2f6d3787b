"""BVH animation files: export of SMPL22 joint positions, and import of any BVH skeleton.

Files are written in metres (``units_per_metre`` = 1; Blender imports them at their real size with its
default scale), y up, with the SMPL22 joint names, the root's OFFSET at zero and its position channels holding
its absolute position. Channels: root ``Xposition Yposition Zposition Zrotation Xrotation Yrotation``, other
joints ``Zrotation Xrotation Yrotation`` (intrinsic Z, then X, then Y: ``R = Rz Rx Ry``), degrees.

Positions become rotations by inverse kinematics: bone offsets are the rest-pose directions of
:data:`~mumo.motion.skeleton.SMPL22` scaled to the dance's own bone lengths (median over frames); a joint with
one child turns by the smallest rotation that points its bone at the child (no twist, so rotations vary
smoothly), a joint with several children (pelvis, spine3) by the least-squares rotation of all its child
offsets. With constant bone lengths, reading the file back gives the joints to within micrometres; a dance
whose bone lengths vary from frame to frame (joints decoded from features) keeps its bone directions, and
its positions move by the bones' deviation from their median length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from mumo.errors import MotionError
from mumo.files import write_text_atomically
from mumo.motion.rotations import rotation_between
from mumo.motion.skeleton import SMPL22
from mumo.motion.validate import validate_fps, validate_joints

ROTATION_ORDER = "ZXY"
"""Euler order of the rotation channels written (intrinsic)."""
_AXIS = {"Xrotation": "X", "Yrotation": "Y", "Zrotation": "Z"}
_POSITION = ("Xposition", "Yposition", "Zposition")


@dataclass(frozen=True)
class BvhJoint:
    """One joint of a BVH hierarchy: its name, parent index (-1 for the root), offset and channel names."""

    name: str
    parent: int
    offset: np.ndarray
    channels: tuple[str, ...]


def write_bvh(joints: np.ndarray, fps: float, path: str | Path, units_per_metre: float = 1.0) -> Path:
    """Write SMPL22 joints ``[T, 22, 3]`` (metres, y up) at ``fps`` as a BVH file, atomically.

    Args:
        units_per_metre: length unit of the file (1 = metres, 100 = centimetres).

    Raises:
        MotionError: not ``[T, 22, 3]`` finite joints, or a bad frame rate.
    """
    joints = validate_joints(joints, expected_joints=22)
    fps = validate_fps(fps)
    offsets = _offsets(joints)
    local = _local_rotations(joints, offsets)
    euler = Rotation.from_matrix(local.reshape(-1, 3, 3)).as_euler(ROTATION_ORDER, degrees=True)
    euler = np.unwrap(euler.reshape(len(joints), 22, 3), period=360.0, axis=0)
    order = _depth_first(0)  # the order the hierarchy lists the joints, and so their channels
    frames = np.concatenate(
        [joints[:, 0] * units_per_metre, euler[:, order].reshape(len(joints), -1)], axis=1
    )
    text = _hierarchy(offsets * units_per_metre) + _motion(frames, fps)
    return write_text_atomically(path, text)


def read_bvh(path: str | Path, units_per_metre: float = 1.0) -> tuple[list[BvhJoint], np.ndarray, float]:
    """Read any BVH file: its joints, their positions ``[T, J, 3]`` in metres, and its frame rate (fps).

    Raises:
        MotionError: missing file, or a malformed hierarchy or motion section (naming the line).
    """
    path = Path(path)
    if not path.is_file():
        raise MotionError(f"{path}: BVH file not found")
    lines = path.read_text(errors="replace").splitlines()
    hierarchy, motion_line = _parse_hierarchy(lines, path)
    values, frame_time = _parse_motion(lines, motion_line, sum(len(j.channels) for j in hierarchy), path)
    positions = _forward_kinematics(hierarchy, values) / units_per_metre
    return hierarchy, positions, round(1.0 / frame_time, 3)


def read_bvh_smpl22(path: str | Path, units_per_metre: float = 1.0) -> tuple[np.ndarray, float]:
    """SMPL22 joints ``[T, 22, 3]`` (metres) and fps of a BVH whose joints carry the SMPL22 names.

    Raises:
        MotionError: the file's skeleton lacks SMPL22 joints (they are listed), or is malformed.
    """
    hierarchy, positions, fps = read_bvh(path, units_per_metre)
    index = {joint.name: i for i, joint in enumerate(hierarchy)}
    missing = [name for name in SMPL22.joint_names if name not in index]
    if missing:
        raise MotionError(
            f"{path}: not an SMPL22 skeleton, missing joints {missing}; export the dance on the 22-joint "
            "SMPL skeleton (as `mumo generate` writes it)"
        )
    return positions[:, [index[name] for name in SMPL22.joint_names]], fps


def _offsets(joints: np.ndarray) -> np.ndarray:
    """``[22, 3]`` bone offsets: rest directions scaled to the dance's median bone lengths (root: zero)."""
    parents = np.asarray(SMPL22.parents[1:])
    lengths = np.median(np.linalg.norm(joints[:, 1:] - joints[:, parents], axis=-1), axis=0)
    rest = SMPL22.rest_offsets[1:]
    offsets = rest / np.linalg.norm(rest, axis=-1, keepdims=True) * lengths[:, None]
    return np.concatenate([np.zeros((1, 3)), offsets])


def _children(joint: int) -> list[int]:
    return [c for c, p in enumerate(SMPL22.parents) if p == joint]


def _depth_first(joint: int) -> list[int]:
    return [joint] + [j for child in _children(joint) for j in _depth_first(child)]


def _local_rotations(joints: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``[T, 22, 3, 3]`` local rotations that carry the offsets onto the joints' bones."""
    num_frames = len(joints)
    world = np.zeros((num_frames, 22, 3, 3))
    local = np.broadcast_to(np.eye(3), (num_frames, 22, 3, 3)).copy()
    for joint, parent in enumerate(SMPL22.parents):
        parent_world = world[:, parent] if parent >= 0 else np.broadcast_to(np.eye(3), (num_frames, 3, 3))
        children = _children(joint)
        if not children:
            world[:, joint] = parent_world
            continue
        bones = joints[:, children] - joints[:, joint : joint + 1]  # [T, C, 3]
        if len(children) == 1:  # swing only: from where the bone points unrotated to where it points
            unrotated = parent_world @ offsets[children[0]]
            world[:, joint] = rotation_between(unrotated, bones[:, 0]) @ parent_world
        else:
            world[:, joint] = _fit_rotation(offsets[children], bones)
        local[:, joint] = np.swapaxes(parent_world, -1, -2) @ world[:, joint]
    return local


def _fit_rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least-squares rotations ``[T, 3, 3]`` taking ``source`` ``[C, 3]`` onto ``target`` ``[T, C, 3]``."""
    covariance = np.einsum("tci,cj->tij", target, source)
    u, _, vt = np.linalg.svd(covariance)
    sign = np.sign(np.linalg.det(u @ vt))
    correction = np.broadcast_to(np.eye(3), covariance.shape).copy()
    correction[:, 2, 2] = sign
    return u @ correction @ vt


def _hierarchy(offsets: np.ndarray) -> str:
    lines = ["HIERARCHY"]

    def write(joint: int, depth: int) -> None:
        pad = "  " * depth
        keyword = "ROOT" if joint == 0 else "JOINT"
        channels = (
            "6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"
            if joint == 0
            else "3 Zrotation Xrotation Yrotation"
        )
        lines.extend(
            [
                f"{pad}{keyword} {SMPL22.joint_names[joint]}",
                f"{pad}{{",
                f"{pad}  OFFSET {_row(offsets[joint])}",
            ]
        )
        lines.append(f"{pad}  CHANNELS {channels}")
        children = _children(joint)
        for child in children:
            write(child, depth + 1)
        if not children:  # an end site one bone-length along the last bone
            end = offsets[joint] / max(np.linalg.norm(offsets[joint]), 1e-9) * 0.1
            lines.extend([f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET {_row(end)}", f"{pad}  }}"])
        lines.append(f"{pad}}}")

    write(0, 0)
    return "\n".join(lines) + "\n"


def _motion(frames: np.ndarray, fps: float) -> str:
    rows = "\n".join(_row(frame) for frame in frames)
    return f"MOTION\nFrames: {len(frames)}\nFrame Time: {1.0 / fps:.8f}\n{rows}\n"


def _row(values: np.ndarray) -> str:
    return " ".join(f"{v:.6f}" for v in values)


def _parse_hierarchy(lines: list[str], path: Path) -> tuple[list[BvhJoint], int]:
    """The joints (end sites left out) and the index of the ``MOTION`` line."""
    joints: list[BvhJoint] = []
    stack: list[int] = []
    pending: dict[str, object] | None = None
    in_end_site = False
    for number, raw in enumerate(lines):
        words = raw.split()
        if not words or words[0] == "HIERARCHY":
            continue
        key = words[0]
        where = f"{path}:{number + 1}"
        if key == "MOTION":
            if stack or pending is not None:
                raise MotionError(f"{where}: MOTION before the hierarchy's braces close")
            if not joints:
                raise MotionError(f"{where}: no joints before MOTION")
            return joints, number
        if key in ("ROOT", "JOINT"):
            if len(words) < 2:
                raise MotionError(f"{where}: {key} without a name")
            pending = {"name": words[1], "parent": stack[-1] if stack else -1}
        elif key == "End":
            in_end_site = True
        elif key == "OFFSET" and not in_end_site:
            if pending is None:
                raise MotionError(f"{where}: OFFSET outside a joint")
            pending["offset"] = _numbers(words[1:], 3, where)
        elif key == "CHANNELS" and not in_end_site:
            if pending is None:
                raise MotionError(f"{where}: CHANNELS outside a joint")
            count = int(_numbers(words[1:2], 1, where)[0])
            names = tuple(words[2:])
            if len(names) != count or any(n not in _AXIS and n not in _POSITION for n in names):
                raise MotionError(f"{where}: CHANNELS should list {count} of X/Y/Z position/rotation")
            offset = pending.get("offset")
            joints.append(
                BvhJoint(
                    str(pending["name"]), int(pending["parent"]),  # type: ignore[call-overload]
                    np.zeros(3) if offset is None else offset, names,  # type: ignore[arg-type]
                )
            )  # fmt: skip
            stack.append(len(joints) - 1)
            pending = None
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
    num_frames, frame_time = int(header["Frames:"]), float(header["Frame Time:"])
    if frame_time <= 0:
        raise MotionError(f"{path}:{start + 3}: frame time must be positive, got {frame_time}")
    rows = [r for r in lines[start + 3 :] if r.strip()]
    if len(rows) != num_frames:
        raise MotionError(f"{path}: the header announces {num_frames} frames, the file holds {len(rows)}")
    values = np.zeros((num_frames, width))
    for index, row in enumerate(rows):
        values[index] = _numbers(row.split(), width, f"{path}:{start + 4 + index}")
    if not np.isfinite(values).all():
        raise MotionError(f"{path}: NaN or Inf among the channel values")
    return values, frame_time


def _numbers(words: list[str], count: int, where: str) -> np.ndarray:
    if len(words) != count:
        raise MotionError(f"{where}: expected {count} number(s), found {len(words)}")
    try:
        return np.array([float(w) for w in words])
    except ValueError:
        raise MotionError(f"{where}: not a number among {' '.join(words)!r}") from None


def _forward_kinematics(hierarchy: list[BvhJoint], values: np.ndarray) -> np.ndarray:
    """Joint positions ``[T, J, 3]`` (file units) from the channel values ``[T, C]``."""
    num_frames = len(values)
    world = np.zeros((num_frames, len(hierarchy), 3, 3))
    positions = np.zeros((num_frames, len(hierarchy), 3))
    column = 0
    for index, joint in enumerate(hierarchy):
        channels = values[:, column : column + len(joint.channels)]
        column += len(joint.channels)
        rotation = np.broadcast_to(np.eye(3), (num_frames, 3, 3))
        axes = "".join(_AXIS[c] for c in joint.channels if c in _AXIS)
        if axes:
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
    return positions
