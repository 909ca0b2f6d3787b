"""``mumo serve``: a web page for the three jobs (music → dance, dance → music, both), one model loaded."""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path
from types import FrameType

from rich.console import Console

from mumo.errors import MumoError

DEMO_BUNDLE = Path("outputs/demo/bundle")
"""The bundle ``make demo`` leaves, served when no ``--checkpoint`` is given."""
EPILOG = """examples:
  mumo serve                                        the demo's model (after `make demo`), http://127.0.0.1:7860
  mumo serve --checkpoint my_model --port 8080
  mumo serve --checkpoint my_model --host 0.0.0.0   reachable from other machines

The page offers the test songs of the dataset beside the bundle (after `make demo`: outputs/demo/data) or
of --clips.
Uploads and results live in a temporary folder that is removed when the server stops (Ctrl-C).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve a web page to generate dances, music or both",
        description="Serve a web page with one tab per job: a dance for a song, music for a dance, both "
        "together.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--checkpoint", type=Path, help=f"inference bundle, RUN_DIR/epoch=N or .ckpt (default: {DEMO_BUNDLE})"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=7860, help="port to listen on")
    parser.add_argument("--clips", type=Path, help="dataset whose test songs the page offers")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="longest input or output, seconds")
    parser.add_argument("--max-upload-mb", type=float, default=50.0, help="largest upload, megabytes")
    parser.add_argument("--queue-size", type=int, default=8, help="requests waiting at most")
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mumo.pipeline import load
    from mumo.web.clips import demo_songs
    from mumo.web.jobs import Jobs, Limits
    from mumo.web.workspace import workspace

    checkpoint = _checkpoint(args.checkpoint)
    limits = Limits(args.max_seconds, args.max_upload_mb, args.queue_size)
    if min(limits.max_seconds, limits.max_upload_mb, limits.queue_size) <= 0:
        raise MumoError("--max-seconds, --max-upload-mb and --queue-size must be positive")
    pipe = load(checkpoint, args.device)
    clips = demo_songs(args.clips or checkpoint.parent / "data")
    # Ctrl-C stops the server even when it was started with SIGINT ignored (a background job of a script,
    # a parent that ignores it: Python then keeps ignoring it); SIGTERM stops it the same way
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the web framework's own start-up requests
    with workspace() as space:
        from mumo.web.app import start  # imports the web framework, which reads the workspace's settings

        app = start(Jobs(pipe, checkpoint, space, limits), clips, args.host, args.port)
        Console().print(f"serving {checkpoint} at {app.local_url} (Ctrl-C stops)", soft_wrap=True)
        app.block_thread()
    return 0


def _checkpoint(given: Path | None) -> Path:
    """``given``, else the demo's bundle when ``make demo`` has made it.

    Raises:
        MumoError: neither.
    """
    if given is not None:
        return given
    if (DEMO_BUNDLE / "bundle.json").is_file():
        return DEMO_BUNDLE
    raise MumoError(f"no model to serve: give --checkpoint BUNDLE, or run `make demo` to make {DEMO_BUNDLE}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Stop on SIGTERM as on Ctrl-C, so the temporary folder is removed."""
    raise KeyboardInterrupt
