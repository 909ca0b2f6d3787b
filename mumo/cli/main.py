"""The ``mumo`` command: one verb per module in :mod:`mumo.cli`.

Each verb module exposes ``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking
the parsed arguments and returning an exit status). Errors derived from :class:`~mumo.errors.MumoError` are
printed as one line and exit with status 2; any other error is printed as one line too (status 1), with
its traceback only under ``--debug`` or ``MUMO_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
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
    parser.add_argument(
        "--debug", action="store_true", help="show the Python traceback of an error (also MUMO_DEBUG=1)"
    )
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
    debug = args.debug or os.environ.get("MUMO_DEBUG", "0") not in ("", "0")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:
        if debug:
            raise
        sys.stderr.write(f"error: {_one_line(exc)}\n")
        return 2 if isinstance(exc, MumoError) else 1


def _one_line(exc: Exception) -> str:
    """What went wrong, in one line: the message of a mumo error, else the exception's type and message
    with a pointer to the traceback."""
    if isinstance(exc, MumoError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    text = " ".join(str(exc).split()) or "no message"
    return f"{type(exc).__name__}: {text} (run again with --debug, or MUMO_DEBUG=1, to see the traceback)"


if __name__ == "__main__":
    sys.exit(main())
