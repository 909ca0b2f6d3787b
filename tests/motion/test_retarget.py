import json
import re

import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.motion import read_bvh_smpl22, write_bvh
from mumo.motion.retarget import STANDARD_BODY_M
from mumo.motion.skeleton import SMPL22
from mumo.motion.skeleton_maps import KNOWN_MAPS, SkeletonMap, read_skeleton_map
from tests.realdata import realdata

from .conftest import dance

MIXAMO_MAP = next(m for m in KNOWN_MAPS if m.name == "mixamo")
MIXAMO = {smpl: f"mixamorig:{name}" for smpl, name in MIXAMO_MAP.joints.items()}
MOTIONBUILDER_SPINE = {"spine1": "LowerBack", "spine2": "Spine", "spine3": "Spine1"}  # names no map reads


def renamed_bvh(joints, path, names):
    """Write ``joints`` as a BVH whose SMPL22 joints are called ``names[smpl name]`` (others keep theirs)."""
    text = write_bvh(joints, 60.0, path).read_text()

    def rename(match: re.Match) -> str:
        return f"{match[1]} {names.get(match[2], match[2])}"

    text = re.sub(r"^(\s*(?:ROOT|JOINT)) (\w+)$", rename, text, flags=re.M)
    path.write_text(text)
    return path


def on_standard_floor(joints):
    """The clip as a foreign skeleton comes back: scaled to the average adult, lowest joint at y = 0."""
    bones = np.linalg.norm(np.diff(joints[:, [7, 4, 1, 0, 3, 6, 9, 12, 15]], axis=1), axis=-1)
    scaled = joints * STANDARD_BODY_M / np.median(bones.sum(axis=1))
    return scaled - [0.0, scaled[..., 1].min(), 0.0]


def test_a_mixamo_rig_is_recognised_scaled_and_put_on_the_floor(tmp_path):
    joints = dance(120, turns=0.5, velocity=(0.3, 0.1)) * 0.9 + [0.0, 0.2, 0.0]  # small, above the floor
    read, fps = read_bvh_smpl22(renamed_bvh(joints, tmp_path / "mixamo.bvh", MIXAMO))
    assert fps == 60.0
    np.testing.assert_allclose(read, on_standard_floor(joints), atol=1e-5)


def test_a_spine_the_skeleton_lacks_is_placed_along_its_own(tmp_path):
    joints = dance(120, twist=0.0)
    names = {**MIXAMO, **MOTIONBUILDER_SPINE}  # mixamo's Spine2 gone: the motionbuilder map, spine placed
    read, _ = read_bvh_smpl22(renamed_bvh(joints, tmp_path / "mb.bvh", names))
    # The average body's spine is straight, so the placed spine joints land on the originals.
    np.testing.assert_allclose(read, on_standard_floor(joints), atol=1e-5)


def test_an_unknown_skeleton_names_what_is_missing_and_how_to_map_it(tmp_path):
    names = {**MIXAMO, "left_foot": "LeftToe", "right_foot": "RightToe"}
    path = renamed_bvh(dance(30), tmp_path / "rig.bvh", names)
    with pytest.raises(MotionError) as error:
        read_bvh_smpl22(path)
    message = str(error.value)
    assert "closest known (mixamo) lacks joints LeftToeBase, RightToeBase;" in message
    assert "--bvh-joints" in message
    assert "\n" not in message

    # Mapped by a JSON file without the toes: they would be placed along the ankles' end sites, but here
    # the ankles carry toe joints instead.
    mapping = tmp_path / "rig.json"
    mapping.write_text(json.dumps({k: v for k, v in names.items() if not k.endswith("_foot")}))
    with pytest.raises(MotionError, match=r"mixamorig:LeftFoot has no end site .* map left_foot"):
        read_bvh_smpl22(path, skeleton_map=read_skeleton_map(mapping))
    mapping.write_text(json.dumps(names))
    read, _ = read_bvh_smpl22(path, skeleton_map=read_skeleton_map(mapping))
    np.testing.assert_allclose(read, on_standard_floor(dance(30)), atol=1e-5)


def test_incomplete_or_malformed_maps_are_refused(tmp_path):
    with pytest.raises(MotionError, match="must name the joints left_wrist"):
        SkeletonMap("x", {name: name for name in SMPL22.joint_names if name != "left_wrist"})
    with pytest.raises(MotionError, match="name all of spine1, spine2, spine3 or none"):
        SkeletonMap("x", {name: name for name in SMPL22.joint_names if name != "spine2"})
    with pytest.raises(MotionError, match="tail are not SMPL22 joint names"):
        SkeletonMap("x", {**{name: name for name in SMPL22.joint_names}, "tail": "Tail"})
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(MotionError, match=r"list\.json: a skeleton map is a JSON object"):
        read_skeleton_map(tmp_path / "list.json")


def test_a_lying_body_is_refused(tmp_path):
    lying = dance(30)[..., [0, 2, 1]]  # z up
    with pytest.raises(MotionError, match="not upright along"):
        read_bvh_smpl22(renamed_bvh(lying, tmp_path / "lying.bvh", MIXAMO))


@pytest.mark.parametrize(
    ("name", "fps", "frames"), [("60_10_scaled.bvh", 120.0, 1197), ("test_mocapbank.bvh", 30.0, 455)]
)
def test_real_mocap_takes_become_valid_dances(name, fps, frames):
    joints, read_fps = read_bvh_smpl22(realdata(f"bvh/{name}"))
    assert (joints.shape, read_fps) == ((frames, 22, 3), fps)
    bones = np.linalg.norm(joints[:, 1:] - joints[:, list(SMPL22.parents[1:])], axis=-1)
    assert bones.std(axis=0).max() < 0.01  # metres: rigid bones stay rigid (the placed spine within 1 cm)
    assert bones.min() > 0.02
    head = joints[:, SMPL22.joint_names.index("head"), 1]
    assert 1.3 < np.percentile(head, 90) < 1.7  # standing height of an adult's head joint, metres
    feet = joints[:, [7, 8, 10, 11], 1].min(axis=1)
    assert joints[..., 1].min() == 0.0  # on the floor
    assert np.median(feet) < 0.05  # not hovering
    left, right = joints[:, 1] - joints[:, 0], joints[:, 2] - joints[:, 0]
    forward = np.cross([0.0, 1.0, 0.0], right - left)  # the toes point where the hips face
    toes = joints[:, 10] - joints[:, 7]
    assert np.median(np.sum(forward * toes, axis=-1)) > 0
