import json
import pickle
import sys
import types

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from mumo.data.adapters.aistpp import SequenceName, load_smpl_motion, prepare_aistpp
from mumo.data.adapters.aistpp_lists import SHIPPED, read_name_list, resolve_lists
from mumo.data.adapters.smpl import SMPLSkeleton, axis_angle_to_matrix
from mumo.data.clips import read_index
from mumo.errors import DataError, MotionError
from mumo.motion import FeatureStats
from mumo.motion.coco17 import COCO17_NAMES
from mumo.motion.skeleton import SMPL24
from tests.realdata import realdata

from .adapter_fixtures import (
    SMPL_PARENTS,
    coco17_from_smpl24,
    dance_poses,
    fake_smpl_arrays,
    smpl24_dance,
    write_keypoint_pickle,
    write_motion_pickle,
    write_smpl_npz,
    write_tone,
)


def reference_forward(arrays, poses, trans):
    """Joint positions by 4x4 transforms along the chain, with scipy rotations."""
    rest = arrays["J_regressor"] @ arrays["v_template"]
    frames = []
    for pose, offset in zip(poses, trans, strict=True):
        rotations = Rotation.from_rotvec(pose.reshape(24, 3)).as_matrix()
        world = []
        for joint in range(24):
            local = np.eye(4)
            local[:3, :3] = rotations[joint]
            parent = SMPL_PARENTS[joint]
            local[:3, 3] = rest[joint] - (rest[parent] if parent >= 0 else 0)
            world.append(local if parent < 0 else world[parent] @ local)
        frames.append(np.array([w[:3, 3] for w in world]) + offset)
    return np.array(frames)


def test_forward_kinematics_matches_homogeneous_transforms(tmp_path):
    path = write_smpl_npz(tmp_path / "smpl.npz")
    skeleton = SMPLSkeleton.load(path)
    poses, trans = dance_poses(5, seed=1)
    expected = reference_forward(fake_smpl_arrays(), poses, trans / 100)
    np.testing.assert_allclose(skeleton.forward(poses, trans / 100), expected, atol=1e-9)
    zero = skeleton.forward(np.zeros((1, 72)), np.zeros((1, 3)))[0]
    np.testing.assert_allclose(zero, skeleton.rest_joints(), atol=1e-12)
    assert not np.allclose(skeleton.rest_joints(np.ones(10)), skeleton.rest_joints())


def test_axis_angle_matches_scipy():
    vectors = np.random.default_rng(0).normal(size=(6, 3))
    vectors[0] = 0.0
    np.testing.assert_allclose(
        axis_angle_to_matrix(vectors), Rotation.from_rotvec(vectors).as_matrix(), atol=1e-12
    )


def test_official_pickle_with_chumpy_arrays_loads_without_chumpy(tmp_path, monkeypatch):
    arrays = fake_smpl_arrays()
    chumpy = types.ModuleType("chumpy")
    chumpy_ch = types.ModuleType("chumpy.ch")

    class Ch:
        def __init__(self, x):
            self.x = x

    Ch.__module__, Ch.__qualname__ = "chumpy.ch", "Ch"
    chumpy_ch.Ch = Ch
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "chumpy", chumpy)
        patch.setitem(sys.modules, "chumpy.ch", chumpy_ch)
        payload = {**arrays, "v_template": Ch(arrays["v_template"]), "shapedirs": Ch(arrays["shapedirs"])}
        (tmp_path / "SMPL_NEUTRAL.pkl").write_bytes(pickle.dumps(payload, protocol=2))
    assert "chumpy" not in sys.modules
    skeleton = SMPLSkeleton.load(tmp_path / "SMPL_NEUTRAL.pkl")
    np.testing.assert_allclose(skeleton.rest_joints(), arrays["J_regressor"] @ arrays["v_template"])


def test_bad_model_files_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        SMPLSkeleton.load(tmp_path / "missing.pkl")
    (tmp_path / "bad.pkl").write_bytes(b"garbage")
    with pytest.raises(DataError, match="not a readable SMPL model"):
        SMPLSkeleton.load(tmp_path / "bad.pkl")
    arrays = fake_smpl_arrays()
    del arrays["J_regressor"]
    np.savez(tmp_path / "partial.npz", **arrays)
    with pytest.raises(DataError, match="lacks J_regressor"):
        SMPLSkeleton.load(tmp_path / "partial.npz")


def test_sequence_names_give_genre_captions():
    name = SequenceName.parse("gBR_sFM_cAll_d04_mBR0_ch01")
    assert (name.genre_name, name.music) == ("break", "mBR0")
    assert name.motion_caption() == "an advanced break dance"
    assert SequenceName.parse("gLH_sBM_cAll_d16_mLH3_ch03").music_caption() == "LA-style hip-hop dance music"
    with pytest.raises(DataError, match="not an AIST"):
        SequenceName.parse("gXX_sBM_cAll_d04_mBR0_ch01")


def test_motion_pickle_checks(tmp_path):
    write_motion_pickle(tmp_path / "ok.pkl", 30, seed=0, scaling=50.0)
    poses, trans = load_smpl_motion(tmp_path / "ok.pkl")
    assert poses.shape == (30, 72)
    np.testing.assert_allclose(trans, dance_poses(30, 0)[1] / 50.0)
    write_motion_pickle(tmp_path / "short_trans.pkl", 30, seed=0, smpl_trans=np.zeros((29, 3)))
    with pytest.raises(MotionError, match=r"must be \[30, 3\]"):
        load_smpl_motion(tmp_path / "short_trans.pkl")


@pytest.fixture(scope="module")
def aistpp(tmp_path_factory):
    root = tmp_path_factory.mktemp("aistpp")
    (root / "motions").mkdir()
    (root / "splits").mkdir()
    good = {
        "gBR_sBM_cAll_d04_mBR0_ch01": "train",
        "gHO_sFM_cAll_d20_mHO1_ch05": "train",
        "gPO_sBM_cAll_d10_mPO2_ch02": "val",
        "gKR_sFM_cAll_d28_mKR3_ch07": "test",
    }
    for seed, name in enumerate(good):
        write_motion_pickle(root / "motions" / f"{name}.pkl", 150 + 30 * seed, seed)
        write_tone(root / "wav" / f"{name.split('_')[4]}.wav", 4.0)
    write_motion_pickle(root / "motions" / "gJB_sBM_cAll_d08_mJB4_ch04.pkl", 120, 9)  # ignored
    write_motion_pickle(root / "motions" / "gJS_sBM_cAll_d01_mJS0_ch01.pkl", 120, 9)  # in no split
    nan_poses = dance_poses(120, 3)[0]
    nan_poses[7, 5] = np.nan
    write_motion_pickle(root / "motions" / "gLO_sBM_cAll_d13_mLO0_ch01.pkl", 120, 3, smpl_poses=nan_poses)
    (root / "motions" / "gMH_sBM_cAll_d22_mMH0_ch01.pkl").write_bytes(b"\x80\x04truncated")
    write_motion_pickle(root / "motions" / "gWA_sBM_cAll_d25_mWA9_ch01.pkl", 120, 4)  # music file missing
    write_motion_pickle(
        root / "motions" / "gLH_sBM_cAll_d16_mLH0_ch01.pkl", 120, 5, smpl_trans=np.zeros((100, 3))
    )  # frame counts differ
    broken = ["gLO_sBM_cAll_d13_mLO0_ch01", "gMH_sBM_cAll_d22_mMH0_ch01", "gWA_sBM_cAll_d25_mWA9_ch01"]
    broken.append("gLH_sBM_cAll_d16_mLH0_ch01")
    lists = {"train": [*list(good)[:2], *broken, "gJB_sBM_cAll_d08_mJB4_ch04"], "val": [list(good)[2]]}
    lists["test"] = [list(good)[3]]
    for split, names in lists.items():
        (root / "splits" / f"crossmodal_{split}.txt").write_text("\n".join(names) + "\n")
    (root / "ignore_list.txt").write_text("gJB_sBM_cAll_d08_mJB4_ch04\n")
    model = write_smpl_npz(root / "smpl.npz")
    out = root / "out"
    report = prepare_aistpp(root, model, out)
    return root, out, report, good


def test_aistpp_writes_the_dataset_layout(aistpp):
    _, out, _, good = aistpp
    records = {r.clip_id: r for r in read_index(out)}
    assert {name: r.split for name, r in records.items()} == good
    first = records["gBR_sBM_cAll_d04_mBR0_ch01"]
    assert first.style == "break"
    assert first.motion_caption == "a basic break dance"
    assert first.duration_s == pytest.approx(150 / 60)
    joints = np.load(out / first.joints_path)
    joints24 = np.load(out / "motion24" / "gBR_sBM_cAll_d04_mBR0_ch01.npy")
    assert joints.shape == (150, 22, 3)
    assert joints24.shape == (150, 24, 3)
    np.testing.assert_array_equal(joints, joints24[:, :22])
    assert joints24[..., 1].min() == pytest.approx(0.0, abs=1e-6)
    # Translation divided by smpl_scaling (100): the root moves 10 cm per second along z.
    root_z = joints[:, 0, 2]
    assert root_z[-1] - root_z[0] == pytest.approx(0.1 * 149 / 60, rel=1e-3)
    # The 4 s track is cut to the dance: clip 4 has 240 frames = 4 s, so nothing is cut there.
    assert records["gKR_sFM_cAll_d28_mKR3_ch07"].duration_s == pytest.approx(4.0)
    assert FeatureStats.load(out / "motion_stats").mean.shape == (263,)


def test_aistpp_reports_every_skipped_sequence(aistpp):
    _, out, report, _ = aistpp
    assert (report.read, report.written, len(report.skipped)) == (10, 4, 6)
    reasons = dict(report.skipped)
    assert reasons["gJB_sBM_cAll_d08_mJB4_ch04"] == "on the AIST++ ignore list"
    assert reasons["gJS_sBM_cAll_d01_mJS0_ch01"] == "not in any split list"
    assert "NaN" in reasons["gLO_sBM_cAll_d13_mLO0_ch01"]
    assert "corrupt" in reasons["gMH_sBM_cAll_d22_mMH0_ch01"]
    assert "not found" in reasons["gWA_sBM_cAll_d25_mWA9_ch01"]
    assert "[120, 3]" in reasons["gLH_sBM_cAll_d16_mLH0_ch01"]
    saved = json.loads((out / "report.json").read_text())
    assert (saved["read"], saved["written"], saved["skipped"]) == (10, 4, 6)
    assert saved["joints_from"] == "smpl"
    assert saved["lists"]["crossmodal_val.txt"].endswith("splits/crossmodal_val.txt")
    differences = saved["lists_differing_from_mumo_copy"]
    assert differences["crossmodal_test.txt"] == {"only_here": 1, "only_in_mumo": 20}


def test_aistpp_needs_split_lists(aistpp, tmp_path):
    root, *_ = aistpp
    with pytest.raises(DataError, match=r"crossmodal_train\.txt not found"):
        prepare_aistpp(root, root / "smpl.npz", tmp_path / "out", splits_dir=tmp_path)


SHIPPED_TRAIN = read_name_list(SHIPPED / "crossmodal_train.txt")
SHIPPED_TEST = read_name_list(SHIPPED / "crossmodal_test.txt")
SHIPPED_IGNORED = read_name_list(SHIPPED / "ignore_list.txt")


def test_shipped_lists_are_the_cross_modal_split():
    assert (len(SHIPPED_TRAIN), len(SHIPPED_TEST), len(SHIPPED_IGNORED)) == (980, 20, 45)
    for name in [*SHIPPED_TRAIN, *SHIPPED_TEST, *SHIPPED_IGNORED]:
        SequenceName.parse(name)
    assert not set(SHIPPED_TRAIN) & set(SHIPPED_TEST)
    music = {name: SequenceName.parse(name).music for name in [*SHIPPED_TRAIN, *SHIPPED_TEST]}
    assert not {music[n] for n in SHIPPED_TRAIN} & {music[n] for n in SHIPPED_TEST}  # test songs are unseen
    assert len({music[n] for n in SHIPPED_TRAIN}) == 50


def test_without_lists_of_its_own_a_folder_uses_the_shipped_ones(tmp_path, caplog):
    lists = resolve_lists(tmp_path)
    assert lists.splits[SHIPPED_TRAIN[0]] == "train"
    assert lists.splits[SHIPPED_TEST[0]] == "test"
    assert lists.ignored == frozenset(SHIPPED_IGNORED)
    report = lists.as_report()
    assert report["listed_per_split"] == {"train": 980, "val": 0, "test": 20}
    assert report["lists"] == {
        "crossmodal_train.txt": "mumo's copy",
        "crossmodal_val.txt": "not found, so no val clips",
        "crossmodal_test.txt": "mumo's copy",
        "ignore_list.txt": "mumo's copy",
    }
    assert "no val clips" in caplog.text


def test_a_users_lists_are_compared_with_the_shipped_ones(tmp_path, caplog):
    (tmp_path / "crossmodal_train.txt").write_text("\n".join(SHIPPED_TRAIN[1:]) + "\n")
    (tmp_path / "crossmodal_test.txt").write_text("\n".join(SHIPPED_TEST) + "\n")
    ignore = tmp_path / "mine.txt"
    ignore.write_text("gBR_sBM_cAll_d04_mBR0_ch01.pkl\n\n")
    lists = resolve_lists(tmp_path / "nowhere", tmp_path, ignore)
    assert lists.splits.get(SHIPPED_TRAIN[0]) is None
    assert lists.ignored == {"gBR_sBM_cAll_d04_mBR0_ch01"}
    assert lists.differences == {
        "crossmodal_train.txt": {"only_here": 0, "only_in_mumo": 1},
        "ignore_list.txt": {"only_here": 1, "only_in_mumo": 45},
    }
    assert "differs from mumo's copy" in caplog.text
    with pytest.raises(DataError, match=r"split folder .* not found"):
        resolve_lists(tmp_path, tmp_path / "missing")
    with pytest.raises(DataError, match=r"ignore list .* not found"):
        resolve_lists(tmp_path, tmp_path, tmp_path / "missing.txt")


def test_smpl_joints_need_a_model(tmp_path):
    (tmp_path / "motions").mkdir()
    with pytest.raises(DataError, match="--joints-from keypoints3d"):
        prepare_aistpp(tmp_path, None, tmp_path / "out")
    with pytest.raises(DataError, match="joints_from must be"):
        prepare_aistpp(tmp_path, None, tmp_path / "out", joints_from="vertices")


def test_keypoints_make_a_dataset_without_an_smpl_model(tmp_path):
    root = tmp_path / "aist"
    good = {SHIPPED_TRAIN[0]: "train", SHIPPED_TRAIN[1]: "train", SHIPPED_TEST[0]: "test"}
    left_knee, nose = COCO17_NAMES.index("left_knee"), COCO17_NAMES.index("nose")
    for seed, name in enumerate(good):
        dance = coco17_from_smpl24(smpl24_dance(180, seed))
        if seed == 1:  # short gaps, as in the raw AIST++ keypoints: filled and counted
            dance[20:22, left_knee] = np.nan
            dance[50, nose, 0] = np.nan
        write_keypoint_pickle(root / "keypoints3d" / f"{name}.pkl", dance)
        write_tone(root / "wav" / f"{SequenceName.parse(name).music}.wav", 4.0)
    ignored = next(name for name in SHIPPED_IGNORED if name in SHIPPED_TRAIN)
    keypoints = coco17_from_smpl24(smpl24_dance(180, 7))
    write_keypoint_pickle(root / "keypoints3d" / f"{ignored}.pkl", keypoints)
    broken = {
        SHIPPED_TRAIN[2]: np.where((np.arange(180) // 7 == 3)[:, None, None], np.nan, keypoints),
        SHIPPED_TRAIN[3]: keypoints[:, :12],
        SHIPPED_TRAIN[4]: keypoints * [1.0, -1.0, 1.0],  # upside down
    }
    for name, values in broken.items():
        write_keypoint_pickle(root / "keypoints3d" / f"{name}.pkl", values, key="keypoints3d")
    (root / "keypoints3d" / f"{SHIPPED_TRAIN[5]}.pkl").write_bytes(b"not a pickle")

    report = prepare_aistpp(root, None, tmp_path / "out", joints_from="keypoints3d")
    assert (report.read, report.written, len(report.skipped)) == (8, 3, 5)
    reasons = dict(report.skipped)
    assert reasons[ignored] == "on the AIST++ ignore list"
    assert "nose is missing for 7 frames from frame 21" in reasons[SHIPPED_TRAIN[2]]
    assert "[N, 17, 3]" in reasons[SHIPPED_TRAIN[3]]
    assert "upright" in reasons[SHIPPED_TRAIN[4]]
    assert "corrupt" in reasons[SHIPPED_TRAIN[5]]
    records = {r.clip_id: r for r in read_index(tmp_path / "out")}
    assert {name: r.split for name, r in records.items()} == good
    joints24 = np.load(tmp_path / "out" / "motion24" / f"{SHIPPED_TEST[0]}.npy")
    assert joints24.shape == (180, 24, 3)
    assert joints24[..., 1].min() == pytest.approx(0.0, abs=1e-6)
    truth = smpl24_dance(180, 2)
    truth[..., 1] -= truth[..., 1].min()
    # Centimetres were recognised: the limbs come back in metres where the dance put them.
    limbs = [SMPL24.joint_names.index(name) for name in ("left_wrist", "right_knee", "left_ankle")]
    lift = joints24[0, limbs[0], 1] - truth[0, limbs[0], 1]
    np.testing.assert_allclose(joints24[:, limbs] - [0, lift, 0], truth[:, limbs], atol=1e-5)
    assert report.extra["joints_from"] == "keypoints3d"
    assert report.extra["keypoint_gaps_filled"] == {SHIPPED_TRAIN[1]: {"gaps": 2, "keypoint_frames": 3}}
    gappy = np.load(tmp_path / "out" / "motion24" / f"{SHIPPED_TRAIN[1]}.npy")
    knee = gappy[:, SMPL24.joint_names.index("left_knee")]
    np.testing.assert_allclose(knee[20:22], knee[19] + (knee[22] - knee[19]) * [[1 / 3], [2 / 3]], atol=1e-5)
    assert report.extra["listed_per_split"]["val"] == 0
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert "3-D keypoints" in stats["source"]


def test_real_raw_keypoints_with_gaps_become_a_dance(tmp_path):
    source = realdata("aistpp/keypoints3d/gBR_sBM_cAll_d04_mBR2_ch08.pkl")
    with source.open("rb") as handle:
        raw = pickle.load(handle)["keypoints3d"]  # the raw triangulation, with NaN holes
    root = tmp_path / "aist"
    (root / "keypoints3d").mkdir(parents=True)
    with (root / "keypoints3d" / source.name).open("wb") as handle:
        pickle.dump({"keypoints3d": raw}, handle)
    write_tone(root / "wav" / "mBR2.wav", 10.0)

    report = prepare_aistpp(root, None, tmp_path / "out", joints_from="keypoints3d")
    assert (report.written, report.skipped) == (1, [])
    missing = ~np.isfinite(raw).all(axis=-1)  # [N, 17]
    gap_starts = missing[0].sum() + (missing[1:] & ~missing[:-1]).sum()
    expected = {"gaps": int(gap_starts), "keypoint_frames": int(missing.sum())}
    assert report.extra["keypoint_gaps_filled"] == {source.stem: expected}
    joints = np.load(tmp_path / "out" / "motion" / f"{source.stem}.npy")
    thigh = np.linalg.norm(joints[:, 4] - joints[:, 1], axis=-1)  # left hip -> left knee, metres
    assert 0.3 < np.median(thigh) < 0.5  # centimetres recognised; the raw triangulation wobbles by ~5 cm
