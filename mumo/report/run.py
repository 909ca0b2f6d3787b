"""``mumo report``: Markdown tables and PNG loss curves for training runs.

Per run: a table per metric suite with one row per (epoch, guidance scale) — the mean over seeds, with the
seed-to-seed standard deviation where several seeds were evaluated —, the best epoch per metric, and the
train/validation losses per task with an overfitting flag (validation loss rising over two evaluations
while the training loss falls).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from mumo.train.metrics_log import EvaluationRecord, read_records

LOSS_CSV = Path("logs") / "metrics.csv"
HIGHER_IS_BETTER = ("beat_align",)
NOT_RANKED = ("beat_align_shuffled",)
"""Reference numbers, not qualities of the model: no best epoch."""


def _badness(metric: str, value: float, reference: float | None) -> float | None:
    """How bad ``value`` is (lower = better): distance to the ground truth for diversity (``div_k`` against
    ``div_k_gt``), minus the value for beat alignment, the value itself otherwise; ``None`` = not ranked."""
    if metric in NOT_RANKED or metric.endswith("_gt"):
        return None
    if metric.startswith("div_") and reference is not None:
        return abs(value - reference)
    return -value if metric in HIGHER_IS_BETTER else value


def read_loss_log(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """Per logged loss column (``train/...``, ``val/...``): ``(epoch, value)`` averaged over each epoch."""
    path = run_dir / LOSS_CSV
    if not path.is_file():
        return {}
    sums: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    with path.open() as handle:
        for row in csv.DictReader(handle):
            epoch = int(float(row["epoch"])) + 1 if row.get("epoch") else None
            for key, value in row.items():
                if epoch is None or not value or not key.endswith("loss"):
                    continue
                sums[key][epoch].append(float(value))
    return {k: sorted((e, float(np.mean(v))) for e, v in per.items()) for k, per in sums.items()}


def overfitting_epochs(train: list[tuple[int, float]], val: list[tuple[int, float]]) -> list[int]:
    """Epochs where the validation loss rose for two evaluations in a row while the training loss fell."""
    train_at = dict(train)
    flagged = []
    for (e0, v0), (_, v1), (e2, v2) in zip(val, val[1:], val[2:], strict=False):
        if v2 > v1 > v0 and e0 in train_at and e2 in train_at and train_at[e2] < train_at[e0]:
            flagged.append(e2)
    return flagged


def _metric_table(records: list[EvaluationRecord]) -> list[str]:
    names = sorted({k for r in records for k in r.metrics})
    groups: dict[tuple[int, float], list[EvaluationRecord]] = defaultdict(list)
    for record in records:
        groups[(record.epoch, record.guidance_scale)].append(record)
    lines = ["| epoch | gs | seeds | " + " | ".join(names) + " |", "|---" * (len(names) + 3) + "|"]
    best: dict[str, tuple[float, int, float, float]] = {}
    for (epoch, scale), group in sorted(groups.items()):
        cells = []
        for name in names:
            values = [float(r.metrics[name]) for r in group if r.metrics.get(name) is not None]
            if not values:
                cells.append("n/a")
                continue
            mean = float(np.mean(values))
            cells.append(f"{mean:.3f} ± {np.std(values):.3f}" if len(values) > 1 else f"{mean:.3f}")
            gt_values = [
                float(r.metrics[f"{name}_gt"]) for r in group if r.metrics.get(f"{name}_gt") is not None
            ]
            badness = _badness(name, mean, float(np.mean(gt_values)) if gt_values else None)
            if badness is not None and (name not in best or badness < best[name][3]):
                best[name] = (mean, epoch, scale, badness)
        lines.append(f"| {epoch} | {scale:g} | {len(group)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Best epoch per metric: "
        + ", ".join(f"{n} e{e} (gs {s:g}, {v:.3f})" for n, (v, e, s, _) in sorted(best.items())),
    ]
    return lines


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
        lines += [f"## {run_dir.name}", ""]
        records = read_records(run_dir)
        for suite in sorted({r.suite for r in records}):
            lines += [f"### {suite}", "", *_metric_table([r for r in records if r.suite == suite]), ""]
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
