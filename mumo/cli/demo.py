"""``mumo demo``: the main job on the embedded synthetic dataset, as a sequence of ``mumo`` commands.

Each step is an ordinary command a user could type; a step whose marker file exists is skipped, so re-running
the demo reuses finished work. ``--fresh`` starts over.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from mumo.data.clips import ClipRecord, read_index
from mumo.errors import MumoError
from mumo.report.dataset import write_dataset_report

log = logging.getLogger(__name__)

EPILOG = """examples:
  mumo demo                       run (or finish) the demo under outputs/demo
  mumo demo --out /tmp/demo --fresh
"""


@dataclass(frozen=True)
class DemoStep:
    """One command of the demo and the directory that holds its result."""

    name: str
    output: str
    argv: Callable[[Path, int], list[str]]


def _held_out(out: Path) -> ClipRecord:
    """The first test-split clip of the demo dataset."""
    return read_index(out / "data", "test")[0]


DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep(
        "synthetic dataset",
        "data",
        lambda out, num_clips: ["data", "synth", "--out", str(out / "data"), "--num-clips", str(num_clips)],
    ),
    DemoStep(
        "dance video of a held-out clip",
        "video",
        lambda out, _: [
            "render",
            "--joints",
            str(out / "data" / _held_out(out).joints_path),
            "--music",
            str(out / "data" / _held_out(out).music_path),
            "--title",
            f"{_held_out(out).style} (ground truth)",
            "--out",
            str(out / "video" / "dance.mp4"),
            "--sheet",
            str(out / "video" / "contact_sheet.png"),
        ],
    ),
    DemoStep(
        "dance metrics, ground-truth row",
        "metrics",
        lambda out, _: [
            "evaluate-dir",
            "--generated",
            str(out / "data"),
            "--generated-split",
            "test",
            "--reference",
            str(out / "data"),
            "--reference-split",
            "train",
            "--bootstrap",
            "200",
            "--json",
            str(out / "metrics" / "ground_truth.json"),
        ],
    ),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the main job end to end on the embedded synthetic dataset",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=Path("outputs/demo"), help="output directory")
    parser.add_argument("--fresh", action="store_true", help="delete previous demo outputs first")
    parser.add_argument("--num-clips", type=int, default=96, help="size of the synthetic dataset")
    parser.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from mumo.cli.main import main as mumo_main

    console = Console()
    out: Path = args.out
    if args.fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    for index, step in enumerate(DEMO_STEPS, start=1):
        marker = out / step.output / ".demo-step-done"
        title = f"[{index}/{len(DEMO_STEPS)}] {step.name}"
        if marker.is_file():
            console.print(f"{title}: done already ({marker.parent})")
            continue
        argv = step.argv(out, args.num_clips)
        console.print(f"[bold]{title}[/bold]: mumo {' '.join(argv)}")
        started = time.perf_counter()
        status = mumo_main(argv)
        if status != 0:
            raise MumoError(f"demo step '{step.name}' failed (exit {status}); fix it and re-run `mumo demo`")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{time.perf_counter() - started:.1f} s\n")
    report = write_dataset_report(
        out / "data",
        out / "metrics" / "ground_truth.json",
        {"video": out / "video" / "dance.mp4", "contact sheet": out / "video" / "contact_sheet.png"},
        out / "report.md",
    )
    console.print(f"[green]demo finished[/green]: outputs under {out.resolve()}")
    console.print(f"  report: {report.resolve()}")
    console.print(f"  video:  {(out / 'video' / 'dance.mp4').resolve()}")
    return 0
