"""``mumo tokenize train-motion`` / ``train-music``: train the tokenizers of the embedded default."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

EPILOG = """examples:
  mumo tokenize train-music configs/tokenizers/audio_codec.yaml --data data/synth --out runs/music_codec
  mumo tokenize train-motion configs/tokenizers/motion_vqvae_synthetic.yaml --data data/synth \\
      --out runs/motion_vq optimization.max_seconds=300
"""


def register_training_verbs(verbs: argparse._SubParsersAction) -> None:
    """Add ``train-motion`` and ``train-music`` to the sub-verbs of ``mumo tokenize``."""
    for name, kind in (("train-motion", "motion VQ-VAE"), ("train-music", "audio codec")):
        parser = verbs.add_parser(
            name,
            help=f"train the {kind} on a mumo dataset and save the tokenizer",
            description=f"Train the {kind} on the train split; report its quality on the test split.",
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument("config", type=Path, help="tokenizer training config (YAML)")
        parser.add_argument("--data", type=Path, required=True, help="mumo dataset directory")
        parser.add_argument("--out", type=Path, required=True, help="tokenizer directory to write")
        parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="config overrides")
        parser.set_defaults(func=run_train_motion if name == "train-motion" else run_train_music)


def run_train_motion(args: argparse.Namespace) -> int:
    from mumo.config import load_config
    from mumo.tokenizers.training import MotionTokenizerTraining, train_motion_tokenizer

    result = train_motion_tokenizer(
        args.data, args.out, load_config(args.config, MotionTokenizerTraining, args.overrides)
    )
    test = result.test
    Console().print(
        f"motion tokenizer: {result.directory} ({result.fit.steps} steps, {result.fit.seconds:.0f} s); "
        f"test split MPJPE {test.mpjpe_mm:.1f} mm, "
        f"acceleration error {test.acceleration_error_mm:.2f} mm/frame², "
        f"code usage {', '.join(f'{u:.0%}' for u in test.usage)}"
    )
    return 0


def run_train_music(args: argparse.Namespace) -> int:
    from mumo.config import load_config
    from mumo.tokenizers.training import MusicTokenizerTraining, train_music_tokenizer

    result = train_music_tokenizer(
        args.data, args.out, load_config(args.config, MusicTokenizerTraining, args.overrides)
    )
    usage = ", ".join(f"{u:.0%}" for u in result.usage)
    Console().print(
        f"music tokenizer: {result.directory} ({result.fit.steps} steps, {result.fit.seconds:.0f} s); "
        f"test split beat F-measure {result.beat_f_measure:.3f}, code usage {usage}"
    )
    return 0
