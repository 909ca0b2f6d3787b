import json

from mumo.cli.main import main
from mumo.data.clips import read_index


def test_data_synth_writes_dataset_and_prints_figures(tmp_path, capsys):
    out = tmp_path / "synth"
    args = ["data", "synth", "--out", str(out), "--num-clips", "4", "--seed", "7", "--max-duration", "5.5"]
    code = main(args)
    assert code == 0
    stats = json.loads((out / "stats.json").read_text())
    assert stats["num_clips"] == 4
    assert len(read_index(out)) == 4
    printed = capsys.readouterr().out
    assert str(out.resolve()) in printed
    assert f"{stats['beat_tracking_f_measure_70ms']:.3f}" in printed
    assert f"{stats['beat_align_score_own_music']:.3f}" in printed


def test_data_synth_rejects_too_few_clips(tmp_path, capsys):
    code = main(["data", "synth", "--out", str(tmp_path / "x"), "--num-clips", "2"])
    assert code == 2
    assert "at least 3" in capsys.readouterr().err
