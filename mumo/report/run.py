"""``mumo report``: Markdown tables and PNG loss curves for training runs.

Per run (one stage): its settings; a table per metric suite with one row per (epoch, guidance scale): the
mean over seeds, with the seed-to-seed standard deviation where several seeds were evaluated and the 95 %
bootstrap interval where one was computed, ``†`` marking values an evaluation noted as not to be read as
usual (e.g. a normalisation blow-up, explained below the table); the best epoch per metric (noted values
left out); for music → dance the beat alignment with the dancer's own music against shuffled music; and the
train/validation losses per task with an overfitting flag (validation loss rising over two evaluations while
the training loss falls).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import matplotlib
import yaml

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from mumo.train.layout import LOG_DIR, RESOLVED_CONFIG, segment_start
from mumo.train.metrics_log import EvaluationRecord, read_records

INTERVAL = ("_ci95_low", "_ci95_high")
HIGHER_IS_BETTER = (
    "beat_align",
    "beat_phase_locking",
    "music_beat_align",
    "style_accuracy",
    "music_gap",
    "dance_gap",
    "motion_accuracy_cb",
    "music_accuracy_cb",
)
"""Metrics, or name prefixes (``motion_accuracy_cb``: every codebook), where more is better."""
NOT_RANKED = (
    "beat_align_shuffled",
    "beat_phase_locking_shuffled",
    "music_beat_align_shuffled",
    "motion_ce_own_music",
    "music_ce_own_dance",
    "joint_speed_m_s",
)
PAIRED_BEAT_ALIGNMENT = {
    "beat_align": ("Music → dance", "the dances follow their music"),
    "music_beat_align": ("Dance → music", "the music follows its dance"),
}
"""Metric with a ``_shuffled`` twin → (direction, what a clear positive difference means)."""
"""Reference numbers, not qualities of the model: no best epoch."""


def _badness(metric: str, value: float, reference: float | None) -> float | None:
    """How bad ``value`` is (lower = better): distance to the ground truth for diversity (``div_k`` against
    ``div_k_gt``), minus the value for beat alignment, the value itself otherwise; ``None`` = not ranked."""
    if metric in NOT_RANKED or metric.endswith("_gt"):
        return None
    if metric.startswith("div_") and reference is not None:
        return abs(value - reference)
    return -value if metric.startswith(HIGHER_IS_BETTER) else value


def _segments(run_dir: Path) -> list[tuple[int, Path]]:
    """The loss logs of a run, ``(start epoch, path)`` in start order (one per start or resume)."""
    found = []
    for path in (run_dir / LOG_DIR).glob("*/metrics.csv"):
        found.append((segment_start(path.parent.name) or 0, path))
    return sorted(found)


def read_loss_log(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """Per logged loss column (``train/...``, ``val/...``): ``(epoch, value)`` averaged over each epoch
    (epochs counted from 1). A resumed segment replaces the epochs after its start."""
    sums: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for start, path in _segments(run_dir):
        for per_epoch in sums.values():
            for epoch in [e for e in per_epoch if e > start]:
                del per_epoch[epoch]
        with path.open() as handle:
            for row in csv.DictReader(handle):
                if not row.get("epoch"):
                    continue
                epoch = int(float(row["epoch"])) + 1
                for key, value in row.items():
                    if value and key.endswith("loss"):
                        sums[key][epoch].append(float(value))
    return {k: sorted((e, float(np.mean(v))) for e, v in per.items()) for k, per in sums.items() if per}


def overfitting_epochs(train: list[tuple[int, float]], val: list[tuple[int, float]]) -> list[int]:
    """Epochs where the validation loss rose for two evaluations in a row while the training loss fell."""
    train_at = dict(train)
    flagged = []
    for (e0, v0), (_, v1), (e2, v2) in zip(val, val[1:], val[2:], strict=False):
        if v2 > v1 > v0 and e0 in train_at and e2 in train_at and train_at[e2] < train_at[e0]:
            flagged.append(e2)
    return flagged


def _values(group: list[EvaluationRecord], name: str) -> list[float]:
    """The values of metric ``name`` in ``group`` (records without it left out)."""
    return [float(r.metrics[name]) for r in group if r.metrics.get(name) is not None]


def _mean(group: list[EvaluationRecord], name: str) -> float | None:
    values = _values(group, name)
    return float(np.mean(values)) if values else None


def _number(value: float) -> str:
    """Three decimals; scientific notation from 1e5 on (normalisation blow-ups reach 1e17)."""
    return f"{value:.3f}" if abs(value) < 1e5 else f"{value:.2e}"


def _cell(group: list[EvaluationRecord], name: str) -> str:
    """Mean over seeds (± seed-to-seed standard deviation), then the mean 95 % bootstrap interval if any;
    ``†`` when an evaluation noted that the value should not be read as usual."""
    values = _values(group, name)
    if not values:
        return "n/a"
    cell = _number(float(np.mean(values)))
    if len(values) > 1:
        cell += f" ± {_number(float(np.std(values)))}"
    low, high = (_mean(group, name + end) for end in INTERVAL)
    if low is not None and high is not None:
        cell += f" [{_number(low)}, {_number(high)}]"
    return cell + " †" if _noted(group, name) else cell


def _noted(group: list[EvaluationRecord], name: str) -> bool:
    return any(name in r.notes for r in group)


def metric_table(records: list[EvaluationRecord]) -> list[str]:
    """Markdown lines for one suite's records: the table, the best epoch per metric, the notes and, for
    music → dance, the own-vs-shuffled beat alignment verdict."""
    names = sorted({k for r in records for k in r.metrics if not k.endswith(INTERVAL)})
    groups: dict[tuple[int, float], list[EvaluationRecord]] = defaultdict(list)
    for record in records:
        groups[(record.epoch, record.guidance_scale)].append(record)
    lines = ["| epoch | gs | seeds | " + " | ".join(names) + " |", "|---" * (len(names) + 3) + "|"]
    best: dict[str, tuple[float, int, float, float]] = {}
    for (epoch, scale), group in sorted(groups.items()):
        lines.append(
            f"| {epoch} | {scale:g} | {len(group)} | " + " | ".join(_cell(group, n) for n in names) + " |"
        )
        for name in names:
            mean = None if _noted(group, name) else _mean(group, name)
            badness = None if mean is None else _badness(name, mean, _mean(group, f"{name}_gt"))
            if badness is not None and (name not in best or badness < best[name][3]):
                best[name] = (mean, epoch, scale, badness)  # type: ignore[assignment]
    lines += [
        "",
        "Best epoch per metric: "
        + ", ".join(f"{n} e{e} (gs {s:g}, {_number(v)})" for n, (v, e, s, _) in sorted(best.items())),
    ]
    noted: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for name, text in record.notes.items():
            noted[text].add(name)
    for text, metrics in sorted(noted.items()):
        lines += ["", f"† {', '.join(sorted(metrics))}: {text} (left out of the best-epoch line)."]
    for metric in PAIRED_BEAT_ALIGNMENT:
        if any(metric in r.metrics and f"{metric}_shuffled" in r.metrics for r in records):
            lines += ["", *_beat_alignment(groups, metric)]
    return lines


def _beat_alignment(groups: dict[tuple[int, float], list[EvaluationRecord]], metric: str) -> list[str]:
    """Whether the generated stream of the last evaluated epoch follows the given one: ``metric`` (beat
    alignment with the clip's own other stream) against ``metric_shuffled`` (what the same model made from
    another clip's stream), paired per seed."""
    direction, meaning = PAIRED_BEAT_ALIGNMENT[metric]
    last = max(epoch for epoch, _ in groups)
    given = "music" if metric == "beat_align" else "dance"
    lines = [f"{direction} beat alignment at epoch {last} (own {given} vs. shuffled {given}):"]
    for (epoch, scale), group in sorted(groups.items()):
        pairs = [
            (float(own), float(shuffled))
            for r in group
            if (own := r.metrics.get(metric)) is not None
            and (shuffled := r.metrics.get(f"{metric}_shuffled")) is not None
        ]
        if epoch != last or not pairs:
            continue
        own, shuffled = np.mean(pairs, axis=0)
        lines.append(
            f"- gs {scale:g}: {own:.3f} vs. {shuffled:.3f}: {beat_alignment_verdict(pairs, meaning, given)}"
        )
    return lines


def beat_alignment_verdict(
    pairs: list[tuple[float, float]], meaning: str = "the dances follow their music", given: str = "music"
) -> str:
    """Verdict on ``(own, shuffled)`` beat alignment pairs, one per sampling seed.

    The generated stream follows the given one (``meaning``) when the mean paired difference exceeds twice
    its standard error over seeds; with a positive difference inside that margin, or a single seed, the
    verdict says it cannot tell.
    """
    differences = np.array([own - shuffled for own, shuffled in pairs])
    mean = float(differences.mean())
    if len(differences) < 2:
        if mean <= 0:
            return f"{mean:+.3f} on one seed: **no sign of following the {given}**"
        return f"{mean:+.3f} on one seed: own music ahead, but one seed cannot tell (evaluate more seeds)"
    error = float(differences.std(ddof=1) / np.sqrt(len(differences)))
    spread = f"{mean:+.3f} ± {error:.3f} (standard error over {len(differences)} seeds)"
    if mean > 2 * error:
        return f"{spread}: {meaning}"
    if mean <= 0:
        return f"{spread}: **no sign of following the {given}**"
    return f"{spread}: own music ahead, but within the seed-to-seed noise"


def _settings(run_dir: Path) -> list[str]:
    """One line of the stage's settings from its resolved ``config.yaml`` (empty when absent)."""
    path = run_dir / RESOLVED_CONFIG
    if not path.is_file():
        return []
    config = yaml.safe_load(path.read_text()) or {}
    stage, optim = config.get("stage", {}), config.get("optim", {})
    start = config.get("init_from") or config.get("resume") or "scratch or pretrained import"
    return [
        f"Stage: tasks {stage.get('tasks')}, freeze `{stage.get('freeze')}`, "
        f"music/motion weight {stage.get('music_weight')}/{stage.get('motion_weight')}, "
        f"lr {optim.get('learning_rate')}, from `{start}`.",
        "",
    ]


def _plot_losses(losses: dict[str, list[tuple[int, float]]], path: Path) -> None:
    figure, axis = plt.subplots(figsize=(7, 4), dpi=100)
    for name, points in sorted(losses.items()):
        if len(points) > 1:
            epochs, values = zip(*points, strict=True)
            axis.plot(
                epochs, values, marker="o", ms=3, label=name, ls="--" if name.startswith("val") else "-"
            )
    axis.set_xlabel("epoch")
    axis.set_ylabel("cross-entropy (nats)")
    axis.legend(fontsize=7)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def write_run_report(run_dirs: list[Path], out: Path) -> Path:
    """Write ``out`` (Markdown) and one loss-curve PNG per run beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Training report", ""]
    for run_dir in run_dirs:
        lines += [f"## {run_dir.name}", "", *_settings(run_dir)]
        records = read_records(run_dir)
        for suite in sorted({r.suite for r in records}):
            lines += [f"### {suite}", "", *metric_table([r for r in records if r.suite == suite]), ""]
        losses = read_loss_log(run_dir)
        if losses:
            plot = out.parent / f"{run_dir.name}_losses.png"
            _plot_losses(losses, plot)
            lines += ["### Losses", "", f"![losses]({plot.name})", ""]
            for name in sorted(k for k in losses if k.startswith("val/") and k != "val/loss"):
                task = name.removeprefix("val/")
                train = losses.get(f"train/{task}", [])
                flags = overfitting_epochs(train, losses[name])
                last = losses[name][-1][1]
                verdict = f"**overfitting from epoch {flags[0]}**" if flags else "no overfitting flag"
                lines.append(f"- {task}: last validation loss {last:.3f}, {verdict}")
            lines.append("")
        if not records and not losses:
            lines += ["(no evaluations or losses logged yet)", ""]
    out.write_text("\n".join(lines) + "\n")
    return out
