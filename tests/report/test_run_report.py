import pytest

from mumo.cli.main import main
from mumo.report.run import _badness, beat_alignment_verdict, overfitting_epochs
from mumo.train.metrics_log import EvaluationRecord, read_records, save_record


def fabricate_run(run_dir):
    log_dir = run_dir / "logs" / "from_epoch=0"
    log_dir.mkdir(parents=True)
    rows = ["epoch,step,train/joint_motion_loss,val/joint_motion_loss"]
    train = [3.0, 2.5, 2.0, 1.6, 1.3, 1.1]
    val = [3.1, 2.7, 2.6, 2.7, 2.9, 3.2]
    for epoch, (t, v) in enumerate(zip(train, val, strict=True)):
        rows.append(f"{epoch},{epoch * 10},{t},")
        rows.append(f"{epoch},{epoch * 10 + 9},,{v}")
    (log_dir / "metrics.csv").write_text("\n".join(rows) + "\n")
    for epoch, fid in ((3, 40.0), (6, 20.0), (9, 30.0)):
        for seed, jitter in ((0, 0.0), (1, 2.0)):
            save_record(
                run_dir,
                EvaluationRecord(
                    epoch, "dance_5s", 4.0, seed, {"fid_k": fid + jitter, "beat_align": 0.2 + epoch / 100}
                ),
            )


def test_report_tables_best_epoch_spread_and_overfitting(tmp_path):
    run = tmp_path / "stage1"
    fabricate_run(run)
    assert len(read_records(run)) == 6
    out = tmp_path / "report" / "report.md"
    assert main(["report", str(run), "--out", str(out)]) == 0
    text = out.read_text()
    assert "| 6 | 4 | 2 | 0.260 ± 0.000 | 21.000 ± 1.000 |" in text
    assert "fid_k e6" in text
    assert "beat_align e9" in text
    assert "overfitting from epoch 5" in text
    assert (tmp_path / "report" / "stage1_losses.png").is_file()


def test_complex_or_nan_metrics_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not a finite real"):
        save_record(tmp_path, EvaluationRecord(1, "dance", 4.0, 0, {"fid_m": complex(134.9, -1e-8)}))


def test_overfitting_flag_needs_falling_training_loss():
    val = [(1, 1.0), (2, 1.1), (3, 1.2)]
    assert overfitting_epochs([(1, 2.0), (3, 1.5)], val) == [3]
    assert overfitting_epochs([(1, 2.0), (3, 2.5)], val) == []


def test_best_diversity_is_closest_to_ground_truth(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    for epoch, div in ((1, 2.0), (2, 8.5), (3, 12.0)):
        save_record(run, EvaluationRecord(epoch, "dance", 4.0, 0, {"div_k": div, "div_k_gt": 9.0}))
    out = tmp_path / "report.md"
    assert main(["report", str(run), "--out", str(out)]) == 0
    text = out.read_text()
    assert "div_k e2" in text
    assert "div_k_gt e" not in text


def test_noted_blow_ups_are_marked_explained_and_not_ranked(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    note = "normalisation blow-up: ground-truth feature dims [4, 5] are constant"
    for epoch, fid_m in ((1, 3.2e17), (2, 1.5e15)):
        metrics = {"fid_k": 50.0 - epoch, "fid_m": fid_m, "div_m": 4e8}
        notes = {"fid_m": note, "div_m": note} if epoch == 1 else {"fid_m": note}
        save_record(run, EvaluationRecord(epoch, "dance", 4.0, 0, metrics, notes=notes))
    out = tmp_path / "report.md"
    assert main(["report", str(run), "--out", str(out)]) == 0
    text = out.read_text()
    assert "| 1 | 4 | 1 | 4.00e+08 † | 49.000 | 3.20e+17 † |" in text
    assert "| 2 | 4 | 1 | 4.00e+08 | 48.000 | 1.50e+15 † |" in text
    assert f"† div_m, fid_m: {note} (left out of the best-epoch line)." in text
    best = next(line for line in text.splitlines() if line.startswith("Best epoch"))
    assert "fid_k e2" in best
    assert "fid_m" not in best
    assert "div_m e2" in best  # epoch 2's div_m carried no note


def test_re_evaluating_replaces_the_earlier_record(tmp_path):
    first = EvaluationRecord(3, "dance", 4.0, 0, {"fid_k": 40.0})
    other_seed = EvaluationRecord(3, "dance", 4.0, 1, {"fid_k": 41.0})
    save_record(tmp_path, first)
    save_record(tmp_path, other_seed)
    again = EvaluationRecord(3, "dance", 4.0, 0, {"fid_k": 39.0}, notes={"fid_k": "re-run"})
    save_record(tmp_path, again)
    assert read_records(tmp_path) == [other_seed, again]


@pytest.mark.parametrize(
    ("pairs", "verdict"),
    [
        ([(0.30, 0.20), (0.28, 0.21), (0.31, 0.19)], "the dances follow their music"),
        ([(0.30, 0.20), (0.20, 0.29), (0.31, 0.19)], "within the seed-to-seed noise"),
        ([(0.20, 0.30), (0.21, 0.28)], "**no sign of following the music**"),
        ([(0.30, 0.20)], "one seed cannot tell (evaluate more seeds)"),
        ([(0.20, 0.30)], "**no sign of following the music**"),
    ],
)
def test_beat_alignment_verdict_weighs_the_difference_against_seed_noise(pairs, verdict):
    assert beat_alignment_verdict(pairs).endswith(verdict)


def test_report_pairs_own_and_shuffled_music_per_seed(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    for seed, (own, shuffled) in enumerate([(0.30, 0.20), (0.28, 0.21), (0.31, 0.19)]):
        metrics = {"beat_align": own, "beat_align_shuffled": shuffled}
        save_record(run, EvaluationRecord(5, "dance", 4.0, seed, metrics))
    out = tmp_path / "report.md"
    assert main(["report", str(run), "--out", str(out)]) == 0
    text = out.read_text()
    assert "- gs 4: 0.297 vs. 0.200: +0.097 ± 0.015 (standard error over 3 seeds): the dances follow" in text


def test_ranking_direction_of_the_quality_numbers():
    assert _badness("motion_accuracy_cb2", 0.7, None) < _badness("motion_accuracy_cb2", 0.3, None)
    assert _badness("music_gap", 0.2, None) < _badness("music_gap", 0.0, None)
    assert _badness("style_accuracy", 0.9, None) < _badness("style_accuracy", 0.2, None)
    assert _badness("jitter_m_s3", 100.0, None) < _badness("jitter_m_s3", 900.0, None)
    for reference in (
        "joint_speed_m_s",
        "motion_ce_own_music",
        "music_beat_align_shuffled",
        "style_accuracy_gt",
    ):
        assert _badness(reference, 1.0, None) is None
