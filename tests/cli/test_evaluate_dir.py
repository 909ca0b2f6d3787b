import json

import numpy as np
import pytest

from mumo.cli.main import main


def write_clips(folder, clips):
    folder.mkdir()
    for i, clip in enumerate(clips):
        np.save(folder / f"{i:03d}.npy", clip)


def test_evaluate_dir_scores_folders(tmp_path, capsys):
    rng = np.random.default_rng(0)
    base = rng.normal(0, 0.3, (1, 22, 3))
    t = np.arange(120)[:, None, None] / 60.0
    clips = [
        base + 0.1 * np.sin(2 * np.pi * (1 + 0.3 * k) * t + rng.normal(size=(1, 22, 3))) for k in range(8)
    ]
    write_clips(tmp_path / "gen", clips[:4])
    write_clips(tmp_path / "gt", clips[4:])
    # 4 reference clips leave some manual dims constant: the user is warned about the blow-up
    with pytest.warns(RuntimeWarning, match="constant in the ground truth"):
        status = main(
            ["evaluate-dir", "--generated", str(tmp_path / "gen"), "--reference", str(tmp_path / "gt"),
             "--json", str(tmp_path / "s.json"), "--bootstrap", "5", "--cache", str(tmp_path / "cache")]
        )  # fmt: skip
    assert status == 0
    scores = json.loads((tmp_path / "s.json").read_text())
    assert {"fid_k", "fid_m", "div_k", "div_m", "jitter_m_s3", "fid_k_ci95"} <= set(scores)
    assert scores["num_generated"] == 4
    assert all(isinstance(scores[k], float) for k in ("fid_k", "fid_m", "div_k", "div_m"))
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 4
    assert "fid_k" in capsys.readouterr().out


def test_evaluate_dir_rejects_bad_shapes(tmp_path, capsys):
    write_clips(tmp_path / "gen", [np.zeros((10, 5, 3))])
    write_clips(tmp_path / "gt", [np.zeros((10, 22, 3))])
    status = main(["evaluate-dir", "--generated", str(tmp_path / "gen"), "--reference", str(tmp_path / "gt")])
    assert status == 2
    assert "expected joints [T, 22 or 24, 3]" in capsys.readouterr().err


def dance_like(rng: np.random.Generator, num_joints: int) -> np.ndarray:
    t = np.arange(90)[:, None, None] / 60.0
    freq = rng.uniform(0.5, 3.0, (1, num_joints, 3))
    return rng.normal(0, 0.3, (1, num_joints, 3)) + 0.2 * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6))


@pytest.mark.filterwarnings("ignore:.*constant in the ground truth")
def test_evaluate_dir_mixed_skeletons_need_joints_option(tmp_path, capsys):
    rng = np.random.default_rng(1)
    write_clips(tmp_path / "gen", [dance_like(rng, 22) for _ in range(3)])
    write_clips(tmp_path / "gt", [dance_like(rng, 24) for _ in range(6)])
    args = ["evaluate-dir", "--generated", str(tmp_path / "gen"), "--reference", str(tmp_path / "gt")]
    assert main(args) == 2
    assert "--joints 22" in capsys.readouterr().err
    assert main([*args, "--joints", "22", "--json", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())["num_joints"] == 22
