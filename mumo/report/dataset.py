"""A Markdown report of a dataset: its figures, the ground-truth row of the dance metrics, and its renders."""

from __future__ import annotations

import json
from pathlib import Path

from mumo.data.clips import MOTION_STATS_DIR, STATS_FILE
from mumo.motion import FeatureStats
from mumo.motion.features import FEATURE_DEFINITIONS

METRIC_ORDER = ("fid_k", "fid_m", "div_k", "div_m", "div_k_gt", "div_m_gt")
BEAT_ROWS = (
    ("librosa beat tracker vs annotated beats, F-measure (±70 ms)", "beat_tracking_f_measure_70ms"),
    ("beat align score, dances with their own music", "beat_align_score_own_music"),
    ("beat align score, dances with another clip's music", "beat_align_score_shuffled_music"),
)
QUALITY_ORDER = (
    "jitter_m_s3",
    "joint_speed_m_s",
    "foot_skating_ratio",
    "pfc_60fps",
    "joint_speed_ratio_to_gt",
    "jitter_ratio_to_gt",
)


def _row(name: str, scores: dict) -> str:
    value = scores[name]
    interval = scores.get(f"{name}_ci95")
    spread = f"[{interval[0]:.2f}, {interval[1]:.2f}]" if interval else ""
    return f"| {name} | {value:.3f} | {spread} |"


def write_dataset_report(dataset: Path, metrics_json: Path, media: dict[str, Path], out: Path) -> Path:
    """Write ``out`` (Markdown) from ``dataset/stats.json``, the scores of ``mumo evaluate-dir`` and links to
    rendered media (label → path, linked relative to the report)."""
    stats = json.loads((dataset / STATS_FILE).read_text())
    feature_version = FeatureStats.load(dataset / MOTION_STATS_DIR).feature_version  # others are refused
    scores = json.loads(metrics_json.read_text())
    lines = [
        "# mumo demo report",
        "",
        f"Dataset `{dataset}`: {stats['num_clips']} clips, {stats['total_duration_s']:.0f} s, "
        f"splits {stats['clips_per_split']}, styles {stats['clips_per_style']}, "
        f"tempo {stats['tempo_bpm_range'][0]:.0f}–{stats['tempo_bpm_range'][1]:.0f} BPM.",
        "",
        f"Motion features: the 263-d features of definition {feature_version}, "
        f"{FEATURE_DEFINITIONS[feature_version]} (`mumo.motion.features`).",
        "",
        "## Beats",
        "",
        "| check | value |",
        "|---|---|",
        *(f"| {label} | {stats[key]:.3f} |" for label, key in BEAT_ROWS),
        "",
        f"## Ground-truth row: {scores['num_generated']} test dances vs. the {scores['num_reference']}-clip "
        "train pool",
        "",
        "Bailando protocol (kinetic and manual features, normalised with the pool), 95 % bootstrap spread.",
        "",
        "| metric | value | bootstrap spread |",
        "|---|---|---|",
        *(_row(name, scores) for name in METRIC_ORDER if name in scores),
        "",
        "Motion quality (jitter in m/s³, speed in m/s; ratios relative to the pool):",
        "",
        "| metric | value | |",
        "|---|---|---|",
        *(_row(name, scores) for name in QUALITY_ORDER if name in scores),
        "",
        "## Renders",
        "",
        *(f"- {label}: [{path.name}]({path.relative_to(out.parent)})" for label, path in media.items()),
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    return out
