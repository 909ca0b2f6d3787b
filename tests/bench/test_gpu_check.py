"""The GPU check (bench/gpu_check.py) on a CPU at the debug shape, so that it runs when a GPU is lent."""

import json
import runpy
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.slow
def test_gpu_check_runs_every_section_on_a_cpu(tmp_path, monkeypatch):
    out = tmp_path / "gpu_check.md"
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", "--device", "cpu", "--tiny", "--out", str(out)])
    runpy.run_path(str(BENCH / "gpu_check.py"), run_name="__main__")
    rows = json.loads(out.with_suffix(".json").read_text())["rows"]
    assert {row["section"] for row in rows} == {
        "train",
        "cache",
        "generate",
        "transformers",
        "compiled",
        "bf16",
    }
    assert not [row for row in rows if row["check"] in ("FAILED", "skipped")]
    values = {row["check"]: row["value"] for row in rows}
    assert [v for k, v in values.items() if k.startswith("cached = recomputed")] == ["identical", "identical"]
    assert values["compiled = eager codes (same seed)"] == "identical"
    assert values["compiled = eager codes (same seed, bf16)"] == "identical"
    assert "finite, falling" in next(row["note"] for row in rows if row["check"].startswith("loss"))
    assert out.read_text().startswith("# mumo GPU check")
