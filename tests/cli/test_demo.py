import json

import pytest

from mumo.cli.demo import DEMO_STEPS, _config_digest, _step_groups
from mumo.cli.main import main


@pytest.mark.slow
def test_demo_end_to_end_and_rerun(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--config", "configs/demo/tiny.yaml"]) == 0
    printed = capsys.readouterr().out
    assert "dance (saved in" in printed  # `mumo evaluate` prints the final seeds' table
    assert "| 3 | 4 | 1 |" in printed
    report = (out / "report.md").read_text()
    assert "fid_k" in report
    assert "beat align score" in report
    assert "Motion features: the 263-d features of definition 1, mumo_dance" in report
    assert (out / "video" / "dance.mp4").stat().st_size > 10_000
    assert (out / "video" / "contact_sheet.png").is_file()
    training = (out / "report" / "training.md").read_text()
    assert "beat_align_shuffled" in training
    assert list(out.glob("runs/stage2/samples/*_seed0_*.mp4"))
    assert not list(out.glob("runs/stage2/samples/*_seed1_*.mp4"))  # the final seeds are scored, not rendered
    sampled = json.loads((out / "generated" / "generation.json").read_text())
    assert (sampled["top_k"], sampled["temperature"]) == (20, 0.6)  # as the evaluations sample
    assert "| 3 | 4 | 2 |" in training  # the final epoch, scored with seeds 0 and 1
    assert (out / "bundle" / "bundle.json").is_file()
    for name in ("video.mp4", "dance.npy", "dance.bvh", "music.wav", "generation.json"):
        assert (out / "generated" / name).is_file()
    assert main(["demo", "--out", str(out), "--config", "configs/demo/tiny.yaml"]) == 0
    assert capsys.readouterr().out.count("done already") == 12
    assert (
        main(["demo", "--out", str(out), "--config", "configs/demo/tiny.yaml", "evaluation.bootstrap=5"]) == 0
    )
    assert capsys.readouterr().out.count("done already") == 2  # data and video; metrics and after re-run


def test_demo_config_typo_is_reported(tmp_path, capsys):
    status = main(["demo", "--out", str(tmp_path), "data.num_clip=3"])
    assert status == 2
    assert "did you mean 'data.num_clips'" in capsys.readouterr().err


def test_a_step_config_edit_changes_the_step_identity(tmp_path):
    base, step = tmp_path / "base.yaml", tmp_path / "step.yaml"
    base.write_text("optimization:\n  steps: 220\n")
    step.write_text("extends: base.yaml\noptimization:\n  num_threads: 1\n")
    argv = ["tokenize", "train-music", str(step), "--out", str(tmp_path / "out")]
    before = _config_digest(argv)
    base.write_text("optimization:\n  steps: 300\n")
    assert before.startswith("  # configs ")
    assert _config_digest(argv) != before
    assert _config_digest(["report", str(tmp_path)]) == ""


def test_the_two_tokenizers_train_at_the_same_time_and_every_step_runs_once():
    groups = [[step.name for _, step in group] for group in _step_groups()]
    assert ["music codec", "motion VQ-VAE"] in groups
    assert [index for group in _step_groups() for index, _ in group] == list(range(1, len(DEMO_STEPS) + 1))
