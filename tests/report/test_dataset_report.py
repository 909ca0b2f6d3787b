import json

import numpy as np

from mumo.motion import FeatureStats
from mumo.report.dataset import BEAT_ROWS, write_dataset_report


def test_the_report_names_the_motion_features_of_the_dataset(tmp_path):
    dataset = tmp_path / "data"
    dataset.mkdir()
    stats = {
        "num_clips": 4, "total_duration_s": 30.0, "clips_per_split": {"train": 4},
        "clips_per_style": {"house": 4}, "tempo_bpm_range": [100, 120], **{key: 0.5 for _, key in BEAT_ROWS},
    }  # fmt: skip
    (dataset / "stats.json").write_text(json.dumps(stats))
    FeatureStats(np.zeros(263), np.ones(263)).save(dataset / "motion_stats")
    (tmp_path / "metrics.json").write_text(json.dumps({"num_generated": 2, "num_reference": 4, "fid_k": 1.0}))
    report = write_dataset_report(dataset, tmp_path / "metrics.json", {}, tmp_path / "report.md").read_text()
    assert "Motion features: the 263-d features of definition 2, humanml3d" in report
    assert "| fid_k | 1.000 |" in report
