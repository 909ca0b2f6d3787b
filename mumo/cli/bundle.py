"""``mumo bundle``: a self-contained inference bundle (LM + both tokenizers) from a training checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

EPILOG = """examples:
  mumo bundle outputs/demo/runs/stage2/epoch=30 --out outputs/demo/bundle
  mumo generate --checkpoint outputs/demo/bundle --music song.wav --out outputs/song_dance
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bundle",
        help="package a checkpoint with its tokenizers for generation",
        description="Write bundle.json, lm/, music_tokenizer/ and motion_tokenizer/ into a new folder, so "
        "that the model can be used for generation without its run directory or token store.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("checkpoint", help="RUN_DIR/epoch=N or a training .ckpt")
    parser.add_argument("--out", type=Path, required=True, help="new folder for the bundle")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it already holds files")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mumo.files import check_output_folder
    from mumo.pipeline import load_components, save_bundle

    check_output_folder(args.out, args.overwrite)
    bundle = save_bundle(load_components(args.checkpoint), args.out, overwrite=args.overwrite)
    Console().print(f"bundle: {bundle}", soft_wrap=True)
    return 0
