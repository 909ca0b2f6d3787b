import numpy as np
import pytest

from mumo.data.synthetic.dance import generate_dance
from mumo.data.synthetic.music import synthesize_track
from mumo.data.synthetic.styles import STYLES
from mumo.errors import MotionError
from mumo.motion.bvh import read_bvh, read_bvh_smpl22, write_bvh
from mumo.motion.skeleton import SMPL22


@pytest.fixture(scope="module")
def dance() -> np.ndarray:
    """4 s of a synthetic breakbeat dance (turns, travel, steps), ``[240, 22, 3]`` at 60 fps."""
    rng = np.random.default_rng(3)
    track = synthesize_track(STYLES[2], 110.0, 4.0, rng)
    return generate_dance(STYLES[2], track, 240, rng).joints


def test_a_dance_survives_the_round_trip(dance, tmp_path):
    path = write_bvh(dance, 60.0, tmp_path / "dance.bvh")
    joints, fps = read_bvh_smpl22(path)
    assert fps == 60.0
    assert joints.shape == dance.shape
    assert np.linalg.norm(joints - dance, axis=-1).mean() < 1e-3  # metres: under a millimetre
    assert np.abs(joints - dance).max() < 2e-3


def test_the_file_is_a_valid_smpl22_bvh(dance, tmp_path):
    text = write_bvh(dance, 30.0, tmp_path / "dance.bvh").read_text()
    hierarchy, motion = text.split("MOTION\n")
    names = [line.split()[1] for line in hierarchy.splitlines() if line.split()[0] in ("ROOT", "JOINT")]
    assert sorted(names) == sorted(SMPL22.joint_names)
    assert hierarchy.count("End Site") == 5  # head, wrists and toes
    lines = motion.splitlines()
    assert lines[0] == "Frames: 240"
    assert float(lines[1].split(":")[1]) == pytest.approx(1 / 30)
    assert {len(row.split()) for row in lines[2:]} == {6 + 3 * 21}


def test_rotations_change_smoothly(dance, tmp_path):
    text = write_bvh(dance, 60.0, tmp_path / "dance.bvh").read_text()
    rows = np.array([[float(v) for v in row.split()] for row in text.split("MOTION\n")[1].splitlines()[2:]])
    assert np.abs(np.diff(rows[:, 3:], axis=0)).max() < 45.0  # degrees per frame: no Euler flips


def test_centimetres_and_other_channel_orders_are_read(tmp_path):
    path = tmp_path / "arm.bvh"
    path.write_text(
        "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition "
        "Xrotation Yrotation Zrotation\n JOINT Hand\n {\n  OFFSET 0 50 0\n  CHANNELS 3 Xrotation Yrotation "
        "Zrotation\n  End Site\n  {\n   OFFSET 0 10 0\n  }\n }\n}\n"
        "MOTION\nFrames: 2\nFrame Time: 0.04\n0 100 0 0 0 0 0 0 0\n0 100 0 0 0 90 0 0 0\n"
    )
    hierarchy, positions, fps = read_bvh(path, units_per_metre=100)
    assert [j.name for j in hierarchy] == ["Hips", "Hand"]
    assert fps == 25.0
    np.testing.assert_allclose(positions[0], [[0, 1, 0], [0, 1.5, 0]], atol=1e-9)
    np.testing.assert_allclose(positions[1], [[0, 1, 0], [-0.5, 1, 0]], atol=1e-9)  # 90° about z


def test_another_skeleton_is_refused_naming_the_missing_joints(tmp_path):
    path = tmp_path / "cmu.bvh"
    path.write_text(
        "HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition Zrotation "
        "Xrotation Yrotation\n}\nMOTION\nFrames: 1\nFrame Time: 0.0166667\n0 1 0 0 0 0\n"
    )
    with pytest.raises(MotionError, match=r"not an SMPL22 skeleton, missing joints \['pelvis'"):
        read_bvh_smpl22(path)


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda text: text[: text.index("MOTION")], "no MOTION section"),
        (lambda text: text[: text.rindex("\n", 0, len(text) - 1)], "announces 240 frames"),
        (lambda text: text.replace("Frame Time", "Frame Tim"), "expected 'Frame Time:"),
        (lambda text: text.rstrip().rsplit(" ", 1)[0] + " abc\n", "not a number"),
    ],
)
def test_a_damaged_file_is_refused_with_the_line(dance, tmp_path, cut, message):
    path = write_bvh(dance, 60.0, tmp_path / "dance.bvh")
    path.write_text(cut(path.read_text()))
    with pytest.raises(MotionError, match=message):
        read_bvh_smpl22(path)


def test_bad_joints_are_refused_and_nothing_is_written(tmp_path):
    bad = np.full((30, 22, 3), np.nan)
    with pytest.raises(MotionError, match="NaN"):
        write_bvh(bad, 60.0, tmp_path / "bad.bvh")
    assert list(tmp_path.iterdir()) == []
