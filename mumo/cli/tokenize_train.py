"""``mumo tokenize train-motion`` / ``train-music``: train the tokenizers of the embedded default."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

EPILOG = """examples:
  mumo tokenize train-music configs/tokenizers/audio_codec.yaml --data data/synth --out runs/music_codec
  mumo tokenize train-motion configs/tokenizers/motion_vqvae_synthetic.yaml optimization.max_seconds=300 \\
      --data data/synth --out runs/motion_vq
  mumo tokenize train-motion configs/tokenizers/motion_vqvae_synthetic.yaml optimization.steps=4000 \\
      --data data/synth --out runs/motion_vq --resume runs/motion_vq/checkpoints/last.ckpt

Overrides go right after CONFIG. OUT receives the tokenizer (config.json, model.safetensors),
checkpoints/ (step=N.ckpt, last.ckpt) and logs/ (csv/ and tensorboard/). A resumed run needs the config of
the run it continues (more steps or a larger optimization.max_seconds may be given; the time budget
counts across resumes).
"""


def register_training_verbs(verbs: argparse._SubParsersAction) -> None:
    """Add ``train-motion`` and ``train-music`` to the sub-verbs of ``mumo tokenize``."""
    for name, kind in (("train-motion", "motion VQ-VAE"), ("train-music", "audio codec")):
        parser = verbs.add_parser(
            name,
            help=f"train the {kind} on a mumo dataset and save the tokenizer",
            description=f"Train the {kind} on the train split (Lightning: checkpoints, logs, resume); "
            "report its quality on the validation and test splits.",
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument("config", type=Path, help="tokenizer training config (YAML)")
        parser.add_argument("--data", type=Path, required=True, help="mumo dataset directory")
        parser.add_argument("--out", type=Path, required=True, help="tokenizer directory to write")
        parser.add_argument(
            "--resume",
            metavar="CKPT",
            help="continue from this checkpoint (same as optimization.resume=CKPT)",
        )
        parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="config overrides")
        parser.set_defaults(func=run_train, tokenizer=name.removeprefix("train-"))


def _overrides(args: argparse.Namespace) -> list[str]:
    return [*args.overrides, *([f"optimization.resume={args.resume}"] if args.resume else [])]


def _usage(usage: list[float]) -> str:
    return ", ".join(f"{u:.0%}" for u in usage)


def _motion_figures(measured: Any) -> str:
    return (
        f"MPJPE {measured.mpjpe_mm:.1f} mm (root-relative {measured.root_relative_mpjpe_mm:.1f} mm), "
        f"acceleration error {measured.acceleration_error_mm:.2f} mm/frame², "
        f"jitter {measured.jitter_m_s3:.0f} m/s³ (data {measured.reference_jitter_m_s3:.0f}), "
        f"code usage {_usage(measured.usage)}"
    )


def _music_figures(measured: Any) -> str:
    return f"beat F-measure {measured.beat_f_measure:.3f}, code usage {_usage(measured.usage)}"


def run_train(args: argparse.Namespace) -> int:
    from mumo.config import load_config
    from mumo.train import tokenizer_recipes as training

    schema, train, figures = {
        "motion": (training.MotionTokenizerTraining, training.train_motion_tokenizer, _motion_figures),
        "music": (training.MusicTokenizerTraining, training.train_music_tokenizer, _music_figures),
    }[args.tokenizer]
    config = load_config(args.config, schema, _overrides(args))
    result = train(args.data, args.out, config)
    console = Console()
    fit = result.fit
    console.print(f"{args.tokenizer} tokenizer: {result.directory} ({fit.steps} steps, {fit.seconds:.0f} s)")
    if fit.steps < config.optimization.steps:
        console.print(
            f"  [yellow]stopped by the wall-time budget (optimization.max_seconds="
            f"{config.optimization.max_seconds:g}) after {fit.steps} of {config.optimization.steps} steps; "
            "a rerun on another machine may stop elsewhere and give other results[/yellow]"
        )
    for split, measured in (("validation", result.validation), ("test", result.test)):
        console.print(f"  {split} split: {'no clips' if measured is None else figures(measured)}")
    return 0
