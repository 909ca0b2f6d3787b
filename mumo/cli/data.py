"""``mumo data``: create datasets."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

EPILOG = """examples:
  mumo data synth --out data/synth --num-clips 96 --seed 0
  mumo data synth --out /tmp/tiny --num-clips 12 --seed 1 --max-duration 6
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data",
        help="create datasets (the embedded synthetic music + dance set)",
        description="Create datasets in mumo's layout (index.jsonl, music/, motion/, motion_stats.npz).",
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
    synth.set_defaults(func=run_synth)


def run_synth(args: argparse.Namespace) -> int:
    from mumo.data.synthetic import build_synthetic_dataset

    console = Console()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("synthesizing clips", total=args.num_clips)
        stats = build_synthetic_dataset(
            args.out,
            args.num_clips,
            args.seed,
            min_duration_s=args.min_duration,
            max_duration_s=args.max_duration,
            on_clip=lambda _: progress.advance(task),
        )
    console.print(f"wrote {stats['num_clips']} clips ({stats['total_duration_s']:.0f} s) to {args.out}")
    console.print(f"  splits: {stats['clips_per_split']}")
    console.print(f"  librosa beat tracking F-measure (±70 ms): {stats['beat_tracking_f_measure_70ms']:.3f}")
    console.print(
        f"  beat align score: own music {stats['beat_align_score_own_music']:.3f}, "
        f"shuffled music {stats['beat_align_score_shuffled_music']:.3f}"
    )
    return 0
