import importlib
import json
from pathlib import Path

from mumo.cli.main import main
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.token_store import TokenStore
from mumo.data.token_store import build as build_module


def test_tokenize_dataset_writes_a_store_and_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "data"))
    fakes = importlib.import_module("fake_tokenizers")
    monkeypatch.setattr(build_module, "_load_tokenizers", fakes.load_fake_tokenizers)
    data = build_synthetic_dataset(
        tmp_path / "data", num_clips=4, seed=2, min_duration_s=2.0, max_duration_s=2.5
    )
    assert data["num_clips"] == 4
    codec = tmp_path / "codec"
    codec.mkdir()
    (codec / "config.json").write_text("{}")
    argv = ["tokenize", "dataset", "--data", str(tmp_path / "data"), "--music-codec", str(codec)]
    argv += ["--motion-codec", str(codec), "--out", str(tmp_path / "store")]
    assert main(argv) == 0
    assert "4 clips" in capsys.readouterr().out
    store = TokenStore(tmp_path / "store")
    assert len(store) == 4
    assert store.meta.music.directory == str(codec.resolve())
    assert json.loads((tmp_path / "store" / "report.json").read_text())["written"] == 4

    assert main(argv) == 0  # a re-run finds every clip stored
    assert "written 0" in capsys.readouterr().out
    assert len(TokenStore(tmp_path / "store")) == 4


def test_tokenize_dataset_without_dataset_is_a_one_line_error(tmp_path, capsys):
    argv = ["tokenize", "dataset", "--data", str(tmp_path), "--music-codec", str(tmp_path)]
    argv += ["--motion-codec", str(tmp_path), "--out", str(tmp_path / "store")]
    assert main(argv) == 2
    assert "not a mumo dataset" in capsys.readouterr().err
