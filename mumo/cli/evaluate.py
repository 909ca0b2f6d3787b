"""``mumo evaluate``: evaluate saved checkpoints of a training run afterwards."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

EPILOG = """examples:
  mumo evaluate runs/experiments/attempt3_2_stage1 --epochs 3,6,9 --guidance 4
  mumo evaluate runs/demo/stage2 --epochs 2 --guidance 1,4 --seeds 0,1,2 --suites dance --render-samples 0
  mumo evaluate runs/stage2 --epochs 30 --suites music --music-prompts data/musiccaps/prompts.jsonl
"""


def _numbers(text: str, kind: type) -> list:
    return [kind(x) for x in text.split(",") if x.strip()]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate checkpoints of a run (dance and music suites) into its metrics.jsonl",
        description="Generate with saved checkpoints and score them, as the periodic evaluation does.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run", type=Path, help="run directory (with config.yaml and checkpoints/)")
    parser.add_argument("--epochs", required=True, help="comma-separated epochs, e.g. 3,6,9")
    parser.add_argument("--guidance", default=None, help="comma-separated guidance scales (default: config)")
    parser.add_argument("--seeds", default=None, help="comma-separated seeds (default: config)")
    parser.add_argument(
        "--suites", default=None, help="comma-separated suites: dance, music (default: config)"
    )
    parser.add_argument(
        "--render-samples",
        type=int,
        default=None,
        help="dance videos rendered per evaluation into the run's samples/ (default: config)",
    )
    parser.add_argument(
        "--music-prompts",
        type=Path,
        default=None,
        help="prompts.jsonl (mumo prepare musiccaps) whose captions the music suite generates from "
        "(default: config, else the clips' own captions)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from mumo.config import load_config
    from mumo.data.token_store import TokenStore
    from mumo.report.run import metric_table
    from mumo.train.config import TrainConfig
    from mumo.train.evaluation import TokenizerDecoders, evaluate_model, music_prompts
    from mumo.train.layout import RESOLVED_CONFIG
    from mumo.train.metrics_log import METRICS_FILE
    from mumo.train.module import JointLMModule
    from mumo.train.run import load_weights

    config = load_config(args.run / RESOLVED_CONFIG, TrainConfig)
    section = config.evaluation
    if args.guidance:
        section = replace(section, guidance_scales=_numbers(args.guidance, float))
    if args.seeds:
        section = replace(section, seeds=_numbers(args.seeds, int))
    if args.suites:
        section = replace(section, suites=[s.strip() for s in args.suites.split(",")])
    if args.music_prompts:
        section = replace(section, music_prompts=str(args.music_prompts))
    if args.render_samples is not None:
        section = replace(section, render_samples=args.render_samples)
    music_prompts(section)  # a bad prompt file fails before the store, tokenizers and model load
    store = TokenStore(config.data.store)
    decoders = TokenizerDecoders(store)
    module = JointLMModule(config)
    records = []
    for epoch in _numbers(args.epochs, int):
        load_weights(module, str(args.run / f"epoch={epoch}"))
        records += evaluate_model(
            module.model, store, decoders, section, epoch, args.run, args.run.name
        )  # fmt: skip
    console = Console(soft_wrap=True)
    for suite in section.suites:
        console.print(f"\n{suite} (saved in {args.run / METRICS_FILE}):", markup=False)
        console.print("\n".join(metric_table([r for r in records if r.suite == suite])), markup=False)
    return 0
