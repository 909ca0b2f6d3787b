"""The ``mumo`` command: one verb per module in :mod:`mumo.cli`.

Each verb module exposes ``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking
the parsed arguments and returning an exit status). Errors derived from :class:`~mumo.errors.MumoError` are
printed as one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from mumo import __version__
from mumo.errors import MumoError

# Verb modules, in the order `mumo --help` lists them.
VERB_MODULES: tuple[str, ...] = (
    "mumo.cli.data",
    "mumo.cli.render",
    "mumo.cli.evaluate_dir",
    "mumo.cli.demo",
    "mumo.cli.tokenize_dataset",
    "mumo.cli.prepare",
    "mumo.cli.train",
    "mumo.cli.evaluate",
    "mumo.cli.report",
    "mumo.cli.generate",
    "mumo.cli.bundle",
    "mumo.cli.serve",
)

EPILOG = """examples:
  mumo demo                                   run the main job on the embedded synthetic dataset
  mumo data synth --out data/synth --num-clips 64 --seed 0
  mumo <verb> --help                          options and examples of one verb
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mumo",
        description="Music and dance-motion generation with one language model.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mumo {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(title="verbs", dest="verb", metavar="VERB")
    for module_name in VERB_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except MumoError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
