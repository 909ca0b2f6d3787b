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

from mumo.errors import MumoError

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
    argv: Callable[[Path], list[str]]


DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep(
        "synthetic dataset",
        "data",
        lambda out: ["data", "synth", "--out", str(out / "data"), "--num-clips", "96", "--seed", "0"],
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
        argv = step.argv(out)
        console.print(f"[bold]{title}[/bold]: mumo {' '.join(argv)}")
        started = time.perf_counter()
        status = mumo_main(argv)
        if status != 0:
            raise MumoError(f"demo step '{step.name}' failed (exit {status}); fix it and re-run `mumo demo`")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{time.perf_counter() - started:.1f} s\n")
    console.print(f"[green]demo finished[/green]: outputs under {out.resolve()}")
    return 0
