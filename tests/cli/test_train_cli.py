from mumo.cli.main import main


def test_train_config_typo_is_reported(tmp_path, capsys):
    config = tmp_path / "stage.yaml"
    config.write_text("run_dir: r\ndata:\n  store: s\nstage:\n  motion_weigth: 1.0\n")
    assert main(["train", str(config)]) == 2
    assert "did you mean 'stage.motion_weight'" in capsys.readouterr().err
