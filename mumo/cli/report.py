"""``mumo report``: Markdown tables and loss plots for training runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from mumo.errors import DataError

EPILOG = """examples:
  mumo report runs/experiments/attempt3_2_stage1 runs/experiments/attempt3_2_stage2 --out reports/attempt3.md
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="tables of every metric per epoch and guidance scale, loss curves, overfitting flags",
        description="Turn run directories (metrics.jsonl, logs/*/metrics.csv) into a Markdown report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", type=Path, nargs="+", help="run directories")
    parser.add_argument("--out", type=Path, default=Path("report.md"), help="Markdown file to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mumo.report.run import write_run_report

    missing = [str(r) for r in args.runs if not r.is_dir()]
    if missing:
        raise DataError(f"run directories not found: {missing}")
    path = write_run_report(list(args.runs), args.out)
    Console().print(f"report: {path}")
    return 0
