"""``mumo demo``: the main job on the embedded synthetic dataset, as a sequence of ``mumo`` commands.

Each step is an ordinary command a user could type; a step that already ran with the same command is
skipped, so re-running the demo reuses finished work (a changed config re-runs what it changes; a step runs
again after any change before it). ``--fresh`` starts over.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.console import Console

from mumo.config import load_config, save_config
from mumo.data.clips import ClipRecord, read_index
from mumo.errors import MumoError
from mumo.report.dataset import write_dataset_report

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "demo" / "base.yaml"
EPILOG = """examples:
  mumo demo                                    run (or finish) the demo under outputs/demo
  mumo demo --out /tmp/demo --fresh
  mumo demo --config configs/demo/tiny.yaml evaluation.bootstrap=50
"""


@dataclass(frozen=True)
class DemoData:
    """The synthetic dataset of the demo."""

    num_clips: int = 96
    seed: int = 0
    min_duration_s: float = 5.0
    max_duration_s: float = 12.0


@dataclass(frozen=True)
class DemoEvaluation:
    """Dance-metric settings: bootstrap resamples for the 95 % spreads."""

    bootstrap: int = 200
    bootstrap_seed: int = 0


@dataclass(frozen=True)
class DemoRender:
    """The rendered clip (the first of ``clip_split``) and the key frames on its contact sheet."""

    clip_split: Literal["train", "val", "test"] = "test"
    contact_sheet_frames: int = 8


@dataclass(frozen=True)
class DemoConfig:
    """Everything ``mumo demo`` does, as a config (``configs/demo/*.yaml``)."""

    data: DemoData = field(default_factory=DemoData)
    evaluation: DemoEvaluation = field(default_factory=DemoEvaluation)
    render: DemoRender = field(default_factory=DemoRender)


@dataclass(frozen=True)
class DemoStep:
    """One command of the demo and the directory that holds its result."""

    name: str
    output: str
    argv: Callable[[Path, DemoConfig], list[str]]


def _held_out(out: Path, config: DemoConfig) -> ClipRecord:
    """The clip the demo renders: the first of the configured split."""
    return read_index(out / "data", config.render.clip_split)[0]


# fmt: off
def _synth_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["data", "synth", "--out", str(out / "data"), "--num-clips", str(c.data.num_clips),
            "--seed", str(c.data.seed), "--min-duration", str(c.data.min_duration_s),
            "--max-duration", str(c.data.max_duration_s)]


def _render_argv(out: Path, c: DemoConfig) -> list[str]:
    clip = _held_out(out, c)
    return ["render", "--joints", str(out / "data" / str(clip.joints_path)),
            "--music", str(out / "data" / str(clip.music_path)), "--title", f"{clip.style} (ground truth)",
            "--out", str(out / "video" / "dance.mp4"), "--sheet", str(out / "video" / "contact_sheet.png"),
            "--sheet-frames", str(c.render.contact_sheet_frames)]


def _evaluate_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["evaluate-dir", "--generated", str(out / "data"), "--generated-split", "test",
            "--reference", str(out / "data"), "--reference-split", "train",
            "--bootstrap", str(c.evaluation.bootstrap), "--seed", str(c.evaluation.bootstrap_seed),
            "--json", str(out / "metrics" / "ground_truth.json")]
# fmt: on


DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep("synthetic dataset", "data", _synth_argv),
    DemoStep("dance video of a held-out clip", "video", _render_argv),
    DemoStep("dance metrics, ground-truth row", "metrics", _evaluate_argv),
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
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="demo config (YAML)")
    parser.add_argument(
        "overrides", nargs="*", metavar="KEY=VALUE", help="config overrides, e.g. data.num_clips=48"
    )
    parser.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from mumo.cli.main import main as mumo_main

    console = Console()
    out: Path = args.out
    if args.fresh and out.exists():
        shutil.rmtree(out)
    config = load_config(args.config, DemoConfig, args.overrides)
    out.mkdir(parents=True, exist_ok=True)
    save_config(config, out / "demo_config.yaml")
    earlier_step_ran = False
    for index, step in enumerate(DEMO_STEPS, start=1):
        marker = out / step.output / ".demo-step-done"
        title = f"[{index}/{len(DEMO_STEPS)}] {step.name}"
        argv = step.argv(out, config)
        command = "mumo " + " ".join(argv)
        if not earlier_step_ran and marker.is_file() and marker.read_text().splitlines()[0] == command:
            console.print(f"{title}: done already ({marker.parent})")
            continue
        console.print(f"[bold]{title}[/bold]: {command}")
        earlier_step_ran = True
        started = time.perf_counter()
        status = mumo_main(argv)
        if status != 0:
            raise MumoError(f"demo step '{step.name}' failed (exit {status}); fix it and re-run `mumo demo`")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{command}\n{time.perf_counter() - started:.1f} s\n")
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
