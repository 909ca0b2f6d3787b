"""``metrics.jsonl``: one JSON line per evaluation (epoch, suite, guidance scale, seed) of a run."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mumo.files import write_text_atomically

METRICS_FILE = "metrics.jsonl"


@dataclass(frozen=True)
class EvaluationRecord:
    """One evaluation of a checkpoint.

    Attributes:
        epoch: epochs completed when the checkpoint was taken.
        suite: metric suite, ``dance`` or ``music``.
        guidance_scale: classifier-free guidance scale used for generation.
        seed: sampling seed.
        metrics: metric name → value (real numbers; ``None`` when unavailable); a 95 % interval of metric
            ``x`` is stored as ``x_ci95_low`` and ``x_ci95_high``.
        stage: the run's stage name, for reports over several runs.
        notes: metric name → why its value should not be read as usual (e.g. a normalisation blow-up).
    """

    epoch: int
    suite: str
    guidance_scale: float
    seed: int
    metrics: dict[str, float | None]
    stage: str = ""
    notes: dict[str, str] = field(default_factory=dict)


def _line(record: EvaluationRecord) -> str:
    return json.dumps(asdict(record), sort_keys=True) + "\n"


def save_record(run_dir: str | Path, record: EvaluationRecord) -> None:
    """Add ``record`` to ``RUN_DIR/metrics.jsonl``, replacing an earlier record of the same epoch, suite,
    guidance scale and seed (a re-evaluation, e.g. by ``mumo evaluate``); complex or non-finite values are
    refused. A replacement rewrites the file atomically."""
    for name, value in record.metrics.items():
        if value is not None and (isinstance(value, complex) or not math.isfinite(float(value))):
            raise ValueError(f"metric {name} = {value!r} is not a finite real number")
    if _rewrite_keeping(run_dir, lambda r: _key(r) != _key(record), then=record):
        return
    with (Path(run_dir) / METRICS_FILE).open("a") as handle:
        handle.write(_line(record))


def _key(record: EvaluationRecord) -> tuple[int, str, float, int]:
    return record.epoch, record.suite, record.guidance_scale, record.seed


def read_records(run_dir: str | Path) -> list[EvaluationRecord]:
    """All records of a run (empty when it has no ``metrics.jsonl``)."""
    path = Path(run_dir) / METRICS_FILE
    if not path.is_file():
        return []
    return [EvaluationRecord(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def drop_records_after(run_dir: str | Path, epoch: int) -> int:
    """Remove the records of epochs after ``epoch`` (a run resumed from an earlier checkpoint evaluates them
    again); the file is replaced atomically. Returns how many were removed."""
    return _rewrite_keeping(run_dir, lambda r: r.epoch <= epoch)


def _rewrite_keeping(
    run_dir: str | Path, keep: Callable[[EvaluationRecord], bool], then: EvaluationRecord | None = None
) -> int:
    """When some record fails ``keep``, rewrite ``metrics.jsonl`` atomically with the others (and ``then``
    after them); returns how many were removed (0: the file is untouched)."""
    records = read_records(run_dir)
    kept = [r for r in records if keep(r)]
    if len(kept) < len(records):
        rewritten = kept if then is None else [*kept, then]
        write_text_atomically(Path(run_dir) / METRICS_FILE, "".join(_line(r) for r in rewritten))
    return len(records) - len(kept)
