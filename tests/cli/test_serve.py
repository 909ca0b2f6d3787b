from mumo.cli.main import main


def test_without_a_model_it_says_how_to_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 2
    error = capsys.readouterr().err
    assert error == (
        "error: no model to serve: give --checkpoint BUNDLE, or run `make demo` to make outputs/demo/bundle\n"
    )


def test_limits_must_be_positive(tmp_path, capsys):
    assert main(["serve", "--checkpoint", str(tmp_path), "--queue-size", "0"]) == 2
    assert "--queue-size must be positive" in capsys.readouterr().err
