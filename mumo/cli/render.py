"""``mumo render``: a video (with music) and a contact sheet of any SMPL22 joint array."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

EPILOG = """examples:
  mumo render --joints data/synth/motion/synth_0_00003.npy --music data/synth/music/synth_0_00003.wav \\
      --out outputs/dance.mp4
  mumo render --joints generated.npy --ground-truth reference.npy --out side_by_side.mp4 --sheet sheet.png
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render joints [T, 22, 3] to an MP4 with music, and a contact sheet of key frames",
        description="Render a dance (metres, y up) as a skeleton video, optionally beside the ground truth.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--joints", type=Path, required=True, help=".npy joints [T, 22, 3] or .bvh")
    parser.add_argument("--fps", type=float, default=60.0, help="frame rate of .npy joints")
    parser.add_argument("--music", type=Path, default=None, help="audio file to mux into the video")
    parser.add_argument("--ground-truth", type=Path, default=None, help=".npy joints shown on the right")
    parser.add_argument("--out", type=Path, required=True, help="output .mp4")
    parser.add_argument("--sheet", type=Path, default=None, help="also write a contact-sheet PNG here")
    parser.add_argument("--sheet-frames", type=int, default=8, help="key frames on the contact sheet")
    parser.add_argument("--title", default="dance", help="title above the skeleton")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mumo import checks
    from mumo.audio import load
    from mumo.motion.io import load_dance
    from mumo.motion.render import render_contact_sheet, render_video

    for path, what in ((args.joints, "joints"), (args.music, "music"), (args.ground_truth, "ground truth")):
        if path is not None:
            checks.input_file(path, f"{what} file")
    checks.output_file(args.out, "video", (".mp4",))
    if args.sheet is not None:
        checks.output_file(args.sheet, "contact sheet", (".png",))
    checks.integer(args.sheet_frames, "--sheet-frames", minimum=1, maximum=64)
    joints, fps = load_dance(args.joints, args.fps)
    ground_truth = load_dance(args.ground_truth, args.fps)[0] if args.ground_truth else None
    audio = load(args.music, 32_000) if args.music else None
    console = Console()
    total = int(len(joints) / fps * 30)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("rendering", total=total)
        render_video(
            args.out, joints, fps=fps, audio=audio, ground_truth=ground_truth, title=args.title,
            on_frame=lambda _: progress.advance(task),
        )  # fmt: skip
    console.print(f"video: {args.out}")
    if args.sheet:
        render_contact_sheet(args.sheet, joints, fps=fps, num_frames=args.sheet_frames, title=args.title)
        console.print(f"contact sheet: {args.sheet}")
    return 0
