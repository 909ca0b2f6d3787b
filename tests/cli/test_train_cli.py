from mumo.cli.main import main


def test_train_config_typo_is_reported(tmp_path, capsys):
    config = tmp_path / "stage.yaml"
    config.write_text("run_dir: r\ndata:\n  store: s\nstage:\n  motion_weigth: 1.0\n")
    assert main(["train", str(config)]) == 2
    assert "did you mean 'stage.motion_weight'" in capsys.readouterr().err


def test_evaluate_refuses_a_missing_prompt_file_before_loading_anything(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(f"run_dir: {run}\ndata:\n  store: {tmp_path / 'no_store'}\n")
    absent = tmp_path / "prompts.jsonl"
    argv = ["evaluate", str(run), "--epochs", "1", "--suites", "music", "--music-prompts", str(absent)]
    assert main(argv) == 2
    assert f"prompt file {absent} not found" in capsys.readouterr().err


def test_evaluate_refuses_a_negative_number_of_videos_before_loading_anything(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(f"run_dir: {run}\ndata:\n  store: {tmp_path / 'no_store'}\n")
    assert main(["evaluate", str(run), "--epochs", "1", "--render-samples", "-1"]) == 2
    assert (
        "evaluation.render_samples (videos per evaluation) must be at least 0, got -1"
        in capsys.readouterr().err
    )
