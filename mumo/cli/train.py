"""``mumo train``: train the joint LM for one stage of a config."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

EPILOG = """examples:
  mumo train configs/experiments/attempt3_1_stage1.yaml
  mumo train configs/demo/lm_stage2.yaml init_from=outputs/demo/runs/stage1/epoch=2
  mumo train RUN_CONFIG.yaml resume=runs/a/epoch=6 trainer.max_epochs=12
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train the joint LM for one stage (tasks, freezing, loss weights, schedule from a config)",
        description="Train one stage with Lightning; checkpoints go to RUN_DIR/checkpoints/epoch=N.ckpt.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("config", type=Path, help="stage config (YAML)")
    parser.add_argument(
        "overrides", nargs="*", metavar="KEY=VALUE", help="config overrides, e.g. optim.learning_rate=1e-5"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mumo.config import load_config
    from mumo.train.config import TrainConfig
    from mumo.train.run import train

    config = load_config(args.config, TrainConfig, args.overrides)
    run_dir = train(config)
    Console().print(f"run directory: {run_dir}")
    return 0
