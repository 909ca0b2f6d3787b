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
class DemoTraining:
    """Configs of the tokenizers and of the two LM stages (paths relative to the working directory)."""

    music_codec: str = "configs/demo/music_codec.yaml"
    motion_tokenizer: str = "configs/demo/motion_tokenizer.yaml"
    stage1: str = "configs/demo/lm_stage1.yaml"
    stage2: str = "configs/demo/lm_stage2.yaml"
    stage1_epochs: int = 30
    stage2_epochs: int = 30
    evaluate_every: int = 10
    """Epochs between checkpoints and evaluations in both stages (must divide the epoch counts)."""
    tokenizer_seconds: float = 150.0
    """Wall-time budget of each tokenizer's training, seconds."""


@dataclass(frozen=True)
class DemoConfig:
    """Everything ``mumo demo`` does, as a config (``configs/demo/*.yaml``)."""

    data: DemoData = field(default_factory=DemoData)
    training: DemoTraining = field(default_factory=DemoTraining)
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


def _music_codec_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["tokenize", "train-music", c.training.music_codec,
            f"optimization.max_seconds={c.training.tokenizer_seconds}",
            "--data", str(out / "data"), "--out", str(out / "tokenizers" / "music")]


def _motion_tokenizer_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["tokenize", "train-motion", c.training.motion_tokenizer,
            f"optimization.max_seconds={c.training.tokenizer_seconds}",
            "--data", str(out / "data"), "--out", str(out / "tokenizers" / "motion")]


def _store_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["tokenize", "dataset", "--data", str(out / "data"),
            "--music-codec", str(out / "tokenizers" / "music"),
            "--motion-codec", str(out / "tokenizers" / "motion"), "--out", str(out / "store")]


def _stage1_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["train", c.training.stage1, f"run_dir={out / 'runs' / 'stage1'}", f"data.store={out / 'store'}",
            f"trainer.max_epochs={c.training.stage1_epochs}", *_every(c)]


def _stage2_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["train", c.training.stage2, f"run_dir={out / 'runs' / 'stage2'}", f"data.store={out / 'store'}",
            f"init_from={out / 'runs' / 'stage1' / f'epoch={c.training.stage1_epochs}'}",
            f"trainer.max_epochs={c.training.stage2_epochs}", *_every(c)]


def _every(c: DemoConfig) -> list[str]:
    every = c.training.evaluate_every
    return [f"trainer.checkpoint_every_n_epochs={every}", f"evaluation.every_n_epochs={every}"]


def _report_argv(out: Path, c: DemoConfig) -> list[str]:
    return ["report", str(out / "runs" / "stage1"), str(out / "runs" / "stage2"),
            "--out", str(out / "report" / "training.md")]
# fmt: on


DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep("synthetic dataset", "data", _synth_argv),
    DemoStep("dance video of a held-out clip", "video", _render_argv),
    DemoStep("dance metrics, ground-truth row", "metrics", _evaluate_argv),
    DemoStep("music codec", "tokenizers/music", _music_codec_argv),
    DemoStep("motion VQ-VAE", "tokenizers/motion", _motion_tokenizer_argv),
    DemoStep("token store", "store", _store_argv),
    DemoStep("stage 1: music2motion, motion_only freezing", "runs/stage1", _stage1_argv),
    DemoStep("stage 2: all tasks from stage 1", "runs/stage2", _stage2_argv),
    DemoStep("training report", "report", _report_argv),
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
        if (out / step.output).exists():  # a re-run starts clean: no stale checkpoints or metrics
            shutil.rmtree(out / step.output)
        started = time.perf_counter()
        status = mumo_main(argv)
        if status != 0:
            raise MumoError(f"demo step '{step.name}' failed (exit {status}); fix it and re-run `mumo demo`")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{command}\n{time.perf_counter() - started:.1f} s\n")
    report = write_dataset_report(
        out / "data",
        out / "metrics" / "ground_truth.json",
        {
            "ground-truth video": out / "video" / "dance.mp4",
            "contact sheet": out / "video" / "contact_sheet.png",
            "training report (stage 1 and 2 tables, loss curves)": out / "report" / "training.md",
            **{
                f"generated dance, {p.parent.parent.name} {p.stem}": p
                for p in sorted(out.glob("runs/*/samples/*.mp4"))
            },
        },
        out / "report.md",
    )
    console.print(f"[green]demo finished[/green]: outputs under {out.resolve()}")
    console.print(f"  report: {report.resolve()}")
    samples = sorted(out.glob("runs/stage2/samples/*.mp4"))
    video = samples[-1] if samples else out / "video" / "dance.mp4"
    console.print(f"  video:  {video.resolve()}")
    return 0
