"""Which joint of a mocap skeleton is which SMPL22 joint: a table of the common BVH skeletons.

A :class:`SkeletonMap` names, for SMPL22 joints, the joint of another skeleton at the same place. Joint names
match without regard to case, spaces or hyphens, and without a namespace prefix (``mixamorig:LeftArm`` is
``leftarm``). Three kinds of SMPL22 joint may be left out, and are then placed by
:mod:`mumo.motion.retarget`: the spine (``spine1..3``, all or none: placed along the skeleton's own spine
from the pelvis to the neck) and the toes (``left_foot``/``right_foot``: along the ankle's end site).

Known skeletons (:data:`KNOWN_MAPS`, tried in this order; the first whose joints are all in the file wins):

=============  ========================================================================================
smpl           SMPL / SMPL-X / HumanML3D joint names (``pelvis``, ``left_hip``, ``L_Hip``, ...); mumo's
               own exports
mixamo         Mixamo rigs (``mixamorig:Hips``, ``Spine``..``Spine2``, ``LeftArm``, ``LeftUpLeg``, ...)
motionbuilder  MotionBuilder / HumanIK naming, e.g. the CMU MotionBuilder-friendly BVH release (``Hips``,
               ``LeftShoulder`` = collar, ``LeftArm``, ``LeftForeArm``, ``LeftUpLeg``, ``LeftToeBase``)
cmu_daz        the CMU Daz/Poser-friendly BVH release (``hip``, ``abdomen``, ``chest``, ``lCollar``,
               ``lShldr``, ``lForeArm``, ``lHand``, ``lThigh``, ``lShin``, ``lFoot``)
mocapbank      MocapBank takes (``Hips``, ``Chest``, ``Chest2``, ``LeftCollar``, ``LeftShoulder`` =
               shoulder, ``LeftElbow``, ``LeftWrist``, ``LeftHip``, ``LeftKnee``, ``LeftAnkle``)
=============  ========================================================================================

Another skeleton is mapped by a JSON file ``{"<SMPL22 joint>": "<its name in the file>", ...}`` (see
:func:`read_skeleton_map`; ``mumo generate --bvh-joints map.json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from mumo.errors import MotionError
from mumo.motion.skeleton import SMPL22

SPINE = ("spine1", "spine2", "spine3")
"""SMPL22 joints that a map may leave out together (placed along the skeleton's spine)."""
TOES = ("left_foot", "right_foot")
"""SMPL22 joints that a map may leave out (placed along the ankle's end site)."""


def canonical_joint_name(name: str) -> str:
    """Lower case, namespace prefix dropped, spaces and hyphens as underscores; ``L_``/``R_`` spelled out."""
    name = name.rsplit(":", 1)[-1].strip().lower().replace("-", "_").replace(" ", "_")
    for short, long in (("l_", "left_"), ("r_", "right_")):
        if name.startswith(short):
            return long + name[len(short) :]
    return name


@dataclass(frozen=True)
class SkeletonMap:
    """Where the SMPL22 joints are in another skeleton.

    Attributes:
        name: identifier, e.g. ``"mocapbank"``.
        joints: ``{SMPL22 joint name: the skeleton's joint name}`` (matched by :func:`canonical_joint_name`).
        smpl_body: the skeleton places its joints where SMPL does (SMPL exports): its positions are kept in
            their own size, instead of scaling the body to mumo's average adult.
    """

    name: str
    joints: Mapping[str, str]
    smpl_body: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.joints) - set(SMPL22.joint_names))
        if unknown:
            raise MotionError(f"skeleton map {self.name!r}: {', '.join(unknown)} are not SMPL22 joint names")
        optional = set(SPINE) | set(TOES)
        missing = [j for j in SMPL22.joint_names if j not in self.joints and j not in optional]
        if missing:
            raise MotionError(f"skeleton map {self.name!r} must name the joints {', '.join(missing)}")
        if 0 < sum(j in self.joints for j in SPINE) < len(SPINE):
            raise MotionError(f"skeleton map {self.name!r}: name all of {', '.join(SPINE)} or none")
        object.__setattr__(self, "joints", MappingProxyType(dict(self.joints)))

    def missing_from(self, joint_names: Iterable[str]) -> list[str]:
        """The mapped joint names (as the map spells them) that a skeleton with ``joint_names`` lacks."""
        present = {canonical_joint_name(name) for name in joint_names}
        return [name for name in self.joints.values() if canonical_joint_name(name) not in present]


def _sides(left: str, right: str, **templates: str) -> dict[str, str]:
    """``{"left_<joint>": ..., "right_<joint>": ...}`` from ``joint="{side}Name"`` templates."""
    return {
        f"{side}_{joint}": template.format(side=spelled)
        for side, spelled in (("left", left), ("right", right))
        for joint, template in templates.items()
    }


_HUMANIK = {
    "pelvis": "Hips",
    "neck": "Neck",
    "head": "Head",
    **_sides(
        "Left", "Right", collar="{side}Shoulder", shoulder="{side}Arm", elbow="{side}ForeArm",
        wrist="{side}Hand", hip="{side}UpLeg", knee="{side}Leg", ankle="{side}Foot", foot="{side}ToeBase",
    ),
}  # fmt: skip

KNOWN_MAPS: tuple[SkeletonMap, ...] = (
    SkeletonMap("smpl", {name: name for name in SMPL22.joint_names}, smpl_body=True),
    SkeletonMap("mixamo", {**_HUMANIK, "spine1": "Spine", "spine2": "Spine1", "spine3": "Spine2"}),
    SkeletonMap("motionbuilder", _HUMANIK),
    SkeletonMap(
        "cmu_daz",
        {
            "pelvis": "hip", "neck": "neck", "head": "head",
            **_sides(
                "l", "r", collar="{side}Collar", shoulder="{side}Shldr", elbow="{side}ForeArm",
                wrist="{side}Hand", hip="{side}Thigh", knee="{side}Shin", ankle="{side}Foot",
            ),
        },
    ),
    SkeletonMap(
        "mocapbank",
        {
            "pelvis": "Hips", "neck": "Neck", "head": "Head",
            **_sides(
                "Left", "Right", collar="{side}Collar", shoulder="{side}Shoulder", elbow="{side}Elbow",
                wrist="{side}Wrist", hip="{side}Hip", knee="{side}Knee", ankle="{side}Ankle",
            ),
        },
    ),
)  # fmt: skip
"""The skeletons mumo recognises, in the order they are tried (table in the module docstring)."""


def find_skeleton_map(joint_names: Iterable[str], where: str) -> SkeletonMap:
    """The first known map whose joints are all among ``joint_names``.

    Args:
        joint_names: the joints of a skeleton (e.g. a BVH file's).
        where: the file, for the error message.

    Raises:
        MotionError: no known map fits; names the joints the closest map could not find, and how to add one.
    """
    joint_names = list(joint_names)
    for skeleton_map in KNOWN_MAPS:
        if not skeleton_map.missing_from(joint_names):
            return skeleton_map
    missing = {m.name: m.missing_from(joint_names) for m in KNOWN_MAPS}
    closest = max(KNOWN_MAPS, key=lambda m: (len(m.joints) - len(missing[m.name]), -len(missing[m.name])))
    raise MotionError(
        f"{where}: unknown skeleton; closest known ({closest.name}) lacks joints "
        f"{', '.join(missing[closest.name])}; map it with a JSON file "
        '{"<SMPL22 joint>": "<joint in the file>", ...} (--bvh-joints; spine1-3 and the toes may be left out)'
    )


def read_skeleton_map(path: str | Path) -> SkeletonMap:
    """A skeleton map from a JSON object ``{"<SMPL22 joint>": "<joint name in the file>", ...}``.

    ``spine1``..``spine3`` (together) and ``left_foot``/``right_foot`` may be left out; the other 17 SMPL22
    joints (pelvis, neck, head, collars, shoulders, elbows, wrists, hips, knees, ankles) are required.

    Raises:
        MotionError: missing or unreadable file, not an object of strings, or an incomplete map.
    """
    path = Path(path)
    try:
        joints = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise MotionError(f"{path}: not a readable JSON skeleton map ({exc})") from None
    if not isinstance(joints, dict) or not all(isinstance(v, str) for v in joints.values()):
        raise MotionError(
            f'{path}: a skeleton map is a JSON object {{"<SMPL22 joint>": "<joint name>", ...}}'
        )
    try:
        return SkeletonMap(path.stem, joints)
    except MotionError as exc:
        raise MotionError(f"{path}: {exc}") from None
