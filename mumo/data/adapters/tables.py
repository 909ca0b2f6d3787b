"""Reading the metadata tables that datasets ship as CSV or TSV files."""

from __future__ import annotations

import csv
from pathlib import Path

from mumo.errors import DataError


def read_table(path: Path, key: str) -> dict[str, dict[str, str]]:
    """Rows of a CSV/TSV file with a header, keyed by column ``key`` (tab-separated if the header has tabs).

    Raises:
        DataError: the file is missing, empty, or has no ``key`` column.
    """
    if not path.is_file():
        raise DataError(f"metadata table {path} not found")
    with path.open(newline="", encoding="utf-8") as handle:
        header = handle.readline()
        if not header.strip():
            raise DataError(f"{path} is empty")
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter="\t" if "\t" in header else ",")
        if key not in (reader.fieldnames or []):
            raise DataError(f"{path} has no {key!r} column (columns: {reader.fieldnames})")
        return {row[key]: row for row in reader if row.get(key)}
