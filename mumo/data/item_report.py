"""What happened to each input item of a data-preparation run: read, written, or skipped with a reason.

Every step that turns many input files into outputs (dataset adapters, pairing, token-store building) keeps
one :class:`ItemReport`; a bad item is recorded with its reason and skipped, never silently dropped and never
fatal to the whole run. The report is written as JSON next to the outputs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPORT_FILE = "report.json"


@dataclass
class ItemReport:
    """Counts of read, written and skipped items, with the reason for every skip.

    Attributes:
        read: items looked at.
        written: items turned into outputs.
        skipped: ``(item name, reason)`` pairs, in the order they were met.
        extra: run-specific figures (e.g. ``resumed``, ``trimmed``) written into the report as-is.
    """

    read: int = 0
    written: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def wrote(self, count: int = 1) -> None:
        """Count ``count`` items read and written."""
        self.read += count
        self.written += count

    def skip(self, name: str, reason: str) -> None:
        """Count one item read and skipped because of ``reason`` (one line, what is wrong)."""
        self.read += 1
        self.skipped.append((name, reason))

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``read``, ``written``, ``skipped`` counts and ``skipped_items`` with reasons."""
        return {
            "read": self.read,
            "written": self.written,
            "skipped": len(self.skipped),
            "skipped_items": [{"item": name, "reason": reason} for name, reason in self.skipped],
            **self.extra,
        }

    def save(self, directory: str | Path) -> Path:
        """Write ``report.json`` into ``directory`` atomically (temporary file, then rename)."""
        path = Path(directory) / REPORT_FILE
        write_json_atomic(path, self.as_dict())
        return path

    def summary(self) -> str:
        """One line: ``read N, written N, skipped N``."""
        return f"read {self.read}, written {self.written}, skipped {len(self.skipped)}"


def write_json_atomic(path: str | Path, payload: Any) -> None:
    """Write ``payload`` as indented JSON to ``path`` through a temporary file renamed into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
