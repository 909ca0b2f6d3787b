"""``mumo data``: create datasets."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from mumo.data.clips import INDEX_FILE, MOTION_STATS_DIR, STATS_FILE, ClipRecord

EPILOG = """examples:
  mumo data synth --out data/synth --num-clips 96 --seed 0
  mumo data synth --out /tmp/tiny --num-clips 12 --seed 1 --max-duration 6
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data",
        help="create datasets (the embedded synthetic music + dance set)",
        description="Create datasets in mumo's layout (index.jsonl, music/, motion/, motion_stats/).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="sub-verbs", dest="data_verb", metavar="SUBVERB", required=True)
    synth = verbs.add_parser(
        "synth",
        help="procedural music in four styles with beat-locked dances (no downloads)",
        description="Write the synthetic dataset; the same seed gives byte-identical files.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    synth.add_argument("--out", type=Path, required=True, help="dataset directory to write")
    synth.add_argument("--num-clips", type=int, default=96, help="number of clips (>= 3)")
    synth.add_argument("--seed", type=int, default=0, help="the dataset's seed")
    synth.add_argument("--min-duration", type=float, default=5.0, help="shortest clip, seconds")
    synth.add_argument("--max-duration", type=float, default=12.0, help="longest clip, seconds")
    synth.add_argument("--overwrite", action="store_true", help="replace --out if it already holds files")
    synth.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes synthesising clips at the same time (default: 2, or 1 on a 1-core machine); the "
        "files do not depend on it",
    )
    synth.add_argument(
        "--features",
        choices=("humanml3d", "mumo_dance"),
        default="humanml3d",
        help="motion-feature definition of the dataset's statistics and tokenizers (default HumanML3D's)",
    )
    synth.set_defaults(func=run_synth)


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("clips"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _summary(stats: dict) -> Table:
    """The files written (relative to the dataset directory) and the dataset's headline figures."""
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    splits = stats["clips_per_split"]
    low, high = stats["tempo_bpm_range"]
    rows = (
        ("index", INDEX_FILE),
        ("music", f"music/<id>.wav ({stats['music_sample_rate_hz']} Hz mono)"),
        ("motion", f"motion/<id>.npy (joints in metres, {stats['motion_fps']} fps)"),
        ("feature statistics", f"{MOTION_STATS_DIR}/"),
        ("figures", STATS_FILE),
        ("clips", f"{stats['num_clips']} ({stats['total_duration_s']:.0f} s)"),
        ("splits", ", ".join(f"{name} {count}" for name, count in splits.items())),
        ("styles", ", ".join(f"{name} {count}" for name, count in stats["clips_per_style"].items())),
        ("tempo", f"{low:.0f}-{high:.0f} BPM"),
        (
            "beat tracking F-measure",
            f"{stats['beat_tracking_f_measure_70ms']:.3f} (librosa vs. annotated beats, ±70 ms)",
        ),
        (
            "beat align score (BAS)",
            f"{stats['beat_align_score_own_music']:.3f} with own music, "
            f"{stats['beat_align_score_shuffled_music']:.3f} with another clip's",
        ),
    )
    for name, value in rows:
        table.add_row(name, value)
    return table


def run_synth(args: argparse.Namespace) -> int:
    from mumo.data.synthetic import build_synthetic_dataset
    from mumo.files import check_output_folder
    from mumo.motion.features import FEATURE_DEFINITIONS

    check_output_folder(args.out, args.overwrite)
    console = Console()
    with _progress(console) as progress:
        task = progress.add_task("synthesizing", total=args.num_clips)

        def advance(record: ClipRecord) -> None:
            description = f"{record.clip_id} {record.style} {record.tempo_bpm:.0f} BPM"
            progress.update(task, advance=1, description=description)

        stats = build_synthetic_dataset(
            args.out,
            args.num_clips,
            args.seed,
            min_duration_s=args.min_duration,
            max_duration_s=args.max_duration,
            on_clip=advance,
            overwrite=args.overwrite,
            workers=args.workers,
            feature_version={name: v for v, name in FEATURE_DEFINITIONS.items()}[args.features],
        )
    console.print(f"wrote the synthetic dataset to {args.out.resolve()}", soft_wrap=True)
    console.print(_summary(stats))
    return 0
