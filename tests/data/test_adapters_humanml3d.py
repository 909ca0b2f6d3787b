import json

import numpy as np
import pytest

from mumo.data.adapters.humanml3d import prepare_humanml3d, read_caption
from mumo.data.adapters.smpl import SMPLSkeleton
from mumo.data.clips import read_index
from mumo.errors import DataError
from mumo.motion import features_to_joints, joints_to_features, resample_joints

from .adapter_fixtures import dance_poses, write_smpl_npz


@pytest.fixture(scope="module")
def humanml3d(tmp_path_factory):
    root = tmp_path_factory.mktemp("humanml3d")
    (root / "new_joint_vecs").mkdir()
    (root / "texts").mkdir()
    skeleton = SMPLSkeleton.load(write_smpl_npz(root / "smpl.npz"))
    poses, trans = dance_poses(180, seed=2)
    joints60 = skeleton.forward(poses, trans / 100)[:, :22]
    joints60[..., 1] -= joints60[..., 1].min()
    features20 = joints_to_features(resample_joints(joints60, 60, 20), fps=20)  # [60, 263]
    np.save(root / "new_joint_vecs" / "000001.npy", features20)
    np.save(root / "new_joint_vecs" / "M000001.npy", features20[:40])
    bad = features20.copy()
    bad[3, 10] = np.nan
    np.save(root / "new_joint_vecs" / "000002.npy", bad)
    np.save(root / "new_joint_vecs" / "000003.npy", features20[:, :250])
    np.save(root / "new_joint_vecs" / "000005.npy", features20)
    for clip_id in ("000001", "M000001", "000002", "000003", "000004"):
        (root / "texts" / f"{clip_id}.txt").write_text(
            "a person waves#a/DET person/NOUN wave/VERB#1.0#2.5\n"
            "a person dances in place#a/DET person/NOUN dance/VERB#0.0#0.0\n"
        )
    (root / "train.txt").write_text("000001\nM000001\n000002\n")
    (root / "val.txt").write_text("000003\n000004\n")
    (root / "test.txt").write_text("000005\n")
    out = root / "out"
    return root, out, prepare_humanml3d(root, out), features20


def test_clips_are_resampled_to_60_fps_with_captions(humanml3d):
    _, out, _, features20 = humanml3d
    records = {r.clip_id: r for r in read_index(out)}
    assert set(records) == {"000001", "M000001"}
    clip = records["000001"]
    assert clip.music_path is None
    assert clip.motion_caption == "a person dances in place"
    assert clip.duration_s == pytest.approx(3.0)
    joints = np.load(out / clip.joints_path)
    assert joints.shape == (180, 22, 3)
    # Every third 60 fps frame is a 20 fps frame: the same pose as HumanML3D's own joints.
    np.testing.assert_allclose(joints[::3], features_to_joints(features20), atol=1e-4)
    # Velocities were rescaled: the root moves as far per second as at 20 fps.
    reference = features_to_joints(features20)
    travelled = np.linalg.norm(joints[-3, 0] - joints[0, 0])
    assert travelled > 0.1
    assert travelled == pytest.approx(np.linalg.norm(reference[-1, 0] - reference[0, 0]), rel=1e-3)


def test_bad_clips_are_reported(humanml3d):
    _, out, report, _ = humanml3d
    assert (report.read, report.written, len(report.skipped)) == (6, 2, 4)
    reasons = dict(report.skipped)
    assert "NaN" in reasons["000002"]
    assert "263" in reasons["000003"]
    assert "not found" in reasons["000004"]
    assert "caption file 000005.txt not found" in reasons["000005"]
    assert json.loads((out / "report.json").read_text())["skipped"] == 4


def test_caption_falls_back_to_a_partial_description(tmp_path):
    (tmp_path / "a.txt").write_text("kicks#kick/VERB#1.0#2.0\n")
    assert read_caption(tmp_path / "a.txt") == "kicks"
    (tmp_path / "b.txt").write_text("\n")
    with pytest.raises(DataError, match="holds no caption"):
        read_caption(tmp_path / "b.txt")
