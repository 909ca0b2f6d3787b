import dataclasses
import re

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.transform import Rotation

from mumo.data.synthetic.dance import generate_dance
from mumo.data.synthetic.music import synthesize_track
from mumo.data.synthetic.styles import STYLES
from mumo.errors import MotionError
from mumo.motion import read_bvh, read_bvh_smpl22, write_bvh
from mumo.motion.bvh import read_bvh_animation
from mumo.motion.skeleton import SMPL22

NUM_FRAMES = 240


@pytest.fixture(scope="module")
def dance() -> np.ndarray:
    """4 s of a synthetic breakbeat dance (turns, travel, steps), ``[240, 22, 3]`` at 60 fps."""
    rng = np.random.default_rng(3)
    track = synthesize_track(STYLES[2], 110.0, 4.0, rng)
    return generate_dance(STYLES[2], track, NUM_FRAMES, rng).joints


def _about(axis: tuple[float, float, float], angles: np.ndarray) -> np.ndarray:
    """``[T, 3, 3]`` rotations by ``angles`` (radians) about ``axis``."""
    return Rotation.from_rotvec(np.outer(angles, axis)).as_matrix()


def _deep_dance() -> np.ndarray:
    """Two turns while bending forward 60°, squatting with 150° knees and raising the arms overhead."""
    phase = np.linspace(0.0, 4 * np.pi, NUM_FRAMES)
    local = np.broadcast_to(np.eye(3), (NUM_FRAMES, 22, 3, 3)).copy()
    local[:, 0] = _about((0, 1, 0), phase) @ _about((1, 0, 0), np.radians(30) * (1 - np.cos(phase)))
    for hip, knee in ((1, 4), (2, 5)):
        local[:, hip] = _about((1, 0, 0), -np.radians(50) * (1 - np.cos(phase)))
        local[:, knee] = _about((1, 0, 0), np.radians(75) * (1 - np.cos(phase)))
    local[:, 16] = _about((0, 0, 1), np.radians(85) * np.sin(phase))
    local[:, 17] = _about((0, 0, 1), -np.radians(85) * np.sin(phase))
    local[:, 18] = _about((0, 1, 0), np.radians(60) * (1 - np.cos(phase)))
    return SMPL22.forward_kinematics(local, np.tile([0.0, 0.9, 0.0], (NUM_FRAMES, 1)))


def _somersault() -> np.ndarray:
    """A full forward turn of the body about x (through upside down), knees and elbows bending."""
    local = np.broadcast_to(np.eye(3), (NUM_FRAMES, 22, 3, 3)).copy()
    local[:, 0] = _about((1, 0, 0), np.linspace(0.0, 2 * np.pi, NUM_FRAMES))
    bend = _about((1, 0, 0), np.radians(40) * np.sin(np.linspace(0, np.pi, NUM_FRAMES)))
    local[:, [4, 5, 18, 19]] = bend[:, None]
    return SMPL22.forward_kinematics(local, np.tile([0.0, 1.2, 0.0], (NUM_FRAMES, 1)))


def _other_body_dance() -> np.ndarray:
    """A body whose bones (hip and shoulder spread too) point away from the SMPL average, moving at random."""
    rng = np.random.default_rng(0)
    body = dataclasses.replace(SMPL22, rest_offsets=SMPL22.rest_offsets + rng.normal(0, 0.02, (22, 3)))
    rotvecs = np.cumsum(rng.normal(0, 0.03, (NUM_FRAMES, 22, 3)), axis=0)
    rotvecs[:, 0, 1] += np.linspace(0, 4 * np.pi, NUM_FRAMES)
    local = Rotation.from_rotvec(rotvecs.reshape(-1, 3)).as_matrix().reshape(NUM_FRAMES, 22, 3, 3)
    return body.forward_kinematics(local, np.tile([0.0, 0.9, 0.0], (NUM_FRAMES, 1)))


def _channel_values(path) -> np.ndarray:
    rows = path.read_text().split("MOTION\n")[1].splitlines()[2:]
    return np.array([[float(v) for v in row.split()] for row in rows])


def _mean_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b, axis=-1).mean())


def test_a_dance_survives_the_round_trip(dance, tmp_path):
    path = write_bvh(dance, 60.0, tmp_path / "dance.bvh")
    joints, fps = read_bvh_smpl22(path)
    assert fps == 60.0
    assert joints.shape == dance.shape
    assert _mean_error(joints, dance) < 1e-3  # metres: under a millimetre
    assert np.abs(joints - dance).max() < 2e-3


@pytest.mark.parametrize(
    "make", [_deep_dance, _somersault, _other_body_dance], ids=["deep_poses", "somersault", "other_body"]
)
def test_extreme_poses_and_other_bodies_survive_the_round_trip(make, tmp_path):
    original = make()
    joints, _ = read_bvh_smpl22(write_bvh(original, 60.0, tmp_path / "dance.bvh"))
    assert _mean_error(joints, original) < 1e-3


def test_varying_bone_lengths_cost_about_their_own_deviation(dance, tmp_path):
    noise = gaussian_filter1d(np.random.default_rng(1).normal(0, 1, dance.shape), 6, axis=0)
    wobbly = dance + noise * (0.005 / noise.std())  # bones stretch by millimetres, slowly
    bones = np.linalg.norm(wobbly[:, 1:] - wobbly[:, list(SMPL22.parents[1:])], axis=-1)
    deviation = np.abs(bones - np.median(bones, axis=0)).mean()
    joints, _ = read_bvh_smpl22(write_bvh(wobbly, 60.0, tmp_path / "dance.bvh"))
    assert _mean_error(joints, wobbly) < 2 * deviation  # errors do not pile up along the chains


def test_the_file_is_a_valid_smpl22_bvh(dance, tmp_path):
    text = write_bvh(dance, 30.0, tmp_path / "dance.bvh").read_text()
    hierarchy, motion = text.split("MOTION\n")
    names = [line.split()[1] for line in hierarchy.splitlines() if line.split()[0] in ("ROOT", "JOINT")]
    assert sorted(names) == sorted(SMPL22.joint_names)
    assert hierarchy.splitlines()[1].split() == ["ROOT", "pelvis"]
    channels = [line.split() for line in hierarchy.splitlines() if line.split()[0] == "CHANNELS"]
    assert channels[0][1:5] == ["6", "Xposition", "Yposition", "Zposition"]
    assert all(c[1] == "3" and sorted(c[2:]) == ["Xrotation", "Yrotation", "Zrotation"] for c in channels[1:])
    assert hierarchy.count("End Site") == 5  # head, wrists and toes
    lines = motion.splitlines()
    assert lines[0] == "Frames: 240"
    assert float(lines[1].split(":")[1]) == pytest.approx(1 / 30)
    assert {len(row.split()) for row in lines[2:]} == {6 + 3 * 21}
    assert read_bvh_animation(tmp_path / "dance.bvh").joint_names[0] == "pelvis"


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0, 120.0])
def test_frame_rate_and_frame_count_are_kept(dance, tmp_path, fps):
    joints, read_fps = read_bvh_smpl22(write_bvh(dance[:50], fps, tmp_path / "dance.bvh"))
    assert read_fps == fps
    assert len(joints) == 50


@pytest.mark.parametrize(
    "make",
    [lambda dance: dance, lambda _: _deep_dance(), lambda _: _somersault()],
    ids=["synthetic", "deep_poses", "somersault"],
)
def test_rotations_change_smoothly(dance, tmp_path, make):
    values = _channel_values(write_bvh(make(dance), 60.0, tmp_path / "dance.bvh"))
    assert np.abs(np.diff(values[:, 3:], axis=0)).max() < 20.0  # degrees per frame: no Euler flips or wraps


def test_centimetre_files_are_recognised(dance, tmp_path):
    path = write_bvh(dance, 60.0, tmp_path / "dance.bvh", units_per_metre=100.0)
    assert np.ptp(_channel_values(path)[:, 1]) > 1.0  # the root height is in centimetres
    joints, _ = read_bvh_smpl22(path)
    assert _mean_error(joints, dance) < 1e-3
    np.testing.assert_allclose(read_bvh_smpl22(path, units_per_metre=100.0)[0], joints)
    np.testing.assert_allclose(read_bvh(path, units_per_metre=100.0)[0][:, 0], dance[:, 0], atol=1e-6)


def test_smpl_names_in_other_spellings_are_matched(dance, tmp_path):
    path = write_bvh(dance, 60.0, tmp_path / "dance.bvh")
    text = re.sub(
        r"(ROOT|JOINT) (\w+)", lambda m: f"{m[1]} {m[2].title().replace('Left_', 'L_')}", path.read_text()
    )
    path.write_text(text.replace("Right_", "R_"))
    assert "JOINT L_Knee" in path.read_text()
    joints, _ = read_bvh_smpl22(path)
    assert _mean_error(joints, dance) < 1e-3


def test_generic_channel_and_euler_orders_are_read(tmp_path):
    path = tmp_path / "arm.bvh"
    path.write_text(
        "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 6 Zrotation Xrotation Yrotation "
        "Xposition Yposition Zposition\n JOINT Hand\n {\n  OFFSET 0 0 50\n  CHANNELS 3 Xrotation Yrotation "
        "Zrotation\n  End Site\n  {\n   OFFSET 0 10 0\n  }\n }\n}\n"
        "MOTION\nFrames: 3\nFrame Time: 0.04\n"
        "0 0 0 0 100 0 0 0 0\n90 90 0 0 100 0 0 0 0\n0 0 0 0 100 0 0 0 90\n"
    )
    joints, fps = read_bvh(path, units_per_metre=100)
    assert fps == 25.0
    np.testing.assert_allclose(joints[0], [[0, 1, 0], [0, 1, 0.5]], atol=1e-9)
    np.testing.assert_allclose(joints[1], [[0, 1, 0], [0.5, 1, 0]], atol=1e-9)  # Rz(90) Rx(90) (0, 0, 1)
    np.testing.assert_allclose(
        joints[2], [[0, 1, 0], [0, 1, 0.5]], atol=1e-9
    )  # the hand's turn moves no joint
    assert read_bvh_animation(path).joint_names == ("Hips", "Hand")


def test_another_skeleton_is_refused_naming_the_missing_joints(tmp_path):
    path = tmp_path / "cmu.bvh"
    path.write_text(
        "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition Zrotation "
        "Xrotation Yrotation\n JOINT LeftUpLeg\n {\n  OFFSET 10 0 0\n  CHANNELS 3 Zrotation Xrotation "
        "Yrotation\n  End Site\n  {\n   OFFSET 0 -40 0\n  }\n }\n}\n"
        "MOTION\nFrames: 1\nFrame Time: 0.0166667\n0 90 0 0 0 0 0 0 0\n"
    )
    with pytest.raises(MotionError, match=r"cmu.bvh: unknown skeleton; closest known \(motionbuilder\) "):
        read_bvh_smpl22(path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text[: text.index("MOTION")], "no MOTION section"),
        (
            lambda text: text[: text.rindex("\n", 0, len(text) - 1)],
            "announces 240 frames, the file holds 239",
        ),
        (lambda text: text.replace("Frame Time", "Frame Tim"), r"dance.bvh:\d+: expected 'Frame Time:"),
        (lambda text: text.rstrip().rsplit(" ", 1)[0] + " abc\n", r"dance.bvh:\d+: not a number"),
        (
            lambda text: text.replace("HIERARCHY\n", "HIERARCHY\n}\n", 1),
            r"dance.bvh:2: unbalanced closing brace",
        ),
    ],
    ids=["no_motion", "truncated", "no_frame_time", "not_a_number", "brace"],
)
def test_a_damaged_file_is_refused_with_the_line(dance, tmp_path, damage, message):
    path = write_bvh(dance, 60.0, tmp_path / "dance.bvh")
    path.write_text(damage(path.read_text()))
    with pytest.raises(MotionError, match=message):
        read_bvh_smpl22(path)


def test_the_line_of_a_short_row_is_named(dance, tmp_path):
    path = write_bvh(dance[:10], 60.0, tmp_path / "dance.bvh")
    lines = path.read_text().splitlines()
    lines[-3] = lines[-3].rsplit(" ", 1)[0]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(MotionError, match=rf"dance.bvh:{len(lines) - 2}: expected 69"):
        read_bvh(path)


@pytest.mark.parametrize(
    ("joints", "message"),
    [
        (np.full((30, 22, 3), np.nan), "NaN"),
        (np.zeros((30, 24, 3)), r"\[T, 22, 3\]"),
        (np.zeros((30, 22, 3)), "zero length"),
    ],
    ids=["nan", "shape", "collapsed"],
)
def test_bad_joints_are_refused_and_nothing_is_written(tmp_path, joints, message):
    with pytest.raises(MotionError, match=message):
        write_bvh(joints, 60.0, tmp_path / "bad.bvh")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_earlier_file(dance, tmp_path):
    path = write_bvh(dance, 60.0, tmp_path / "dance.bvh")
    before = path.read_text()
    with pytest.raises(MotionError):
        write_bvh(dance, 0.0, path)
    assert path.read_text() == before
    assert list(tmp_path.iterdir()) == [path]


def test_a_missing_file_or_a_bad_unit_is_refused(dance, tmp_path):
    with pytest.raises(MotionError, match=r"missing\.bvh: BVH file not found"):
        read_bvh_smpl22(tmp_path / "missing.bvh")
    with pytest.raises(MotionError, match="units_per_metre must be a positive number"):
        write_bvh(dance, 60.0, tmp_path / "dance.bvh", units_per_metre=0.0)
    assert list(tmp_path.iterdir()) == []
