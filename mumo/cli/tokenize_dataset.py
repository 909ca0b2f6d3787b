"""``mumo tokenize dataset``: encode a dataset's music and motion into a token store."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from mumo.cli.tokenize_train import register_training_verbs

EPILOG = """examples:
  mumo tokenize dataset --data data/synth --music-codec runs/codec --motion-codec runs/motion_vq \\
      --out data/synth_tokens
  mumo tokenize dataset --data data/aistpp --music-codec weights/encodec_32khz \\
      --motion-codec runs/motion_vq --out data/aistpp_tokens --workers 2

Re-running the same command after an interruption continues where it stopped. Clips that cannot be read
are skipped and listed with their reason in OUT/report.json.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tokenize",
        help="encode datasets into token stores",
        description="Turn a mumo dataset into the token store the language model trains on.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="sub-verbs", dest="tokenize_verb", metavar="SUBVERB", required=True)
    dataset = verbs.add_parser(
        "dataset",
        help="encode every clip of a dataset with a music and a motion tokenizer",
        description="Write sharded code arrays plus an index with captions, durations and splits.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dataset.add_argument("--data", type=Path, required=True, help="mumo dataset directory (index.jsonl, ...)")
    dataset.add_argument("--music-codec", type=Path, required=True, help="music tokenizer directory")
    dataset.add_argument("--motion-codec", type=Path, required=True, help="motion tokenizer directory")
    dataset.add_argument("--out", type=Path, required=True, help="token store directory to write or resume")
    dataset.add_argument("--workers", type=int, default=1, help="encoding processes (default 1)")
    dataset.add_argument(
        "--frames-per-shard", type=int, default=1 << 20, help="code frames per shard file (default 1048576)"
    )
    dataset.set_defaults(func=run_tokenize_dataset)
    register_training_verbs(verbs)


def run_tokenize_dataset(args: argparse.Namespace) -> int:
    from mumo.data.clips import read_index
    from mumo.data.token_store.build import TokenizerClipEncoder, build_token_store
    from mumo.errors import DataError

    console = Console(soft_wrap=True)
    total = len(read_index(args.data))
    encoder = TokenizerClipEncoder(str(args.music_codec), str(args.motion_codec))
    music, motion = encoder.describe()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("tokenizing clips", total=total)
        meta, report = build_token_store(
            args.data,
            args.out,
            encoder,
            music,
            motion,
            workers=args.workers,
            frames_per_shard=args.frames_per_shard,
            on_clip=lambda _: progress.advance(task),
        )
    console.print(f"token store {args.out}: {meta.num_items} clips in {meta.num_shards} shards")
    console.print(f"  this run: {report.summary()} (already stored before: {report.extra['resumed']})")
    for clip_id, reason in report.skipped[:10]:
        console.print(f"  skipped {clip_id}: {reason}")
    if len(report.skipped) > 10:
        console.print(f"  ... {len(report.skipped) - 10} more in {args.out / 'report.json'}")
    if meta.num_items == 0:
        raise DataError(f"{args.out}: no clip could be encoded, so the store is unusable (reasons above)")
    return 0
