"""``mumo generate``: a dance for a song, music for a dance, or both, as files and a video."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress

if TYPE_CHECKING:
    from mumo.pipeline import Performance

EPILOG = """examples:
  mumo generate --checkpoint outputs/demo/bundle --music song.wav --out outputs/song_dance
  mumo generate --checkpoint runs/stage2/epoch=30 --music song.wav --motion-text "a breakdance" \\
      --guidance 4 --seed 1 --batch 3 --out outputs/three_dances
  mumo generate --checkpoint outputs/demo/bundle --motion dance.bvh --music-text "a funk track" --out out/
  mumo generate --checkpoint outputs/demo/bundle --duration 20 --out outputs/both   # music and dance

Writes into --out: dance.npy (joints [T, 22, 3], metres, y up, 60 fps), dance_features.npy ([T, 263]),
dance.bvh, music.wav, codes.npz, video.mp4 and generation.json (the settings); with --batch N > 1 one
sample_i/ folder per sample.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="generate a dance for music, music for a dance, or both, with a video",
        description="Generate with a trained model: --music gives a dance, --motion gives music, neither "
        "gives both.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--checkpoint", required=True, help="inference bundle, RUN_DIR/epoch=N or a training .ckpt"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--music", type=Path, help="song to dance to (WAV, FLAC, OGG, ...)")
    source.add_argument("--motion", type=Path, help="dance to make music for (.npy joints or .bvh)")
    parser.add_argument("--motion-fps", type=float, default=60.0, help="frame rate of a --motion .npy")
    parser.add_argument(
        "--bvh-joints",
        type=Path,
        help='JSON map {"<SMPL22 joint>": "<joint in the file>", ...} for a --motion .bvh of a skeleton '
        "mumo does not recognise (SMPL, Mixamo, MotionBuilder/CMU, CMU Daz and MocapBank names are)",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--music-text", default="", help="description of the music")
    parser.add_argument("--motion-text", default="", help="description of the dance")
    parser.add_argument("--guidance", type=float, default=4.0, help="classifier-free guidance scale")
    parser.add_argument("--temperature", type=float, default=1.0, help="sampling temperature (0 = greedy)")
    parser.add_argument("--top-k", type=int, default=250, help="sample among the k most likely codes")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds (default: the input's length; 10 for both)"
    )
    parser.add_argument("--batch", type=int, default=1, help="number of samples drawn")
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")
    parser.add_argument(
        "--compile",
        action="store_true",
        help="compile the decoding step (torch.compile, CUDA graphs on a GPU): same codes, faster on long "
        "outputs after a one-off compilation",
    )
    parser.add_argument(
        "--bf16",
        action="store_true",
        help="hold the model's weights in bfloat16: half the memory, with --compile on a GPU twice as fast; "
        "the codes differ from float32's",
    )
    parser.add_argument("--no-video", action="store_true", help="skip rendering the video")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the files of --out if it already holds some"
    )
    parser.add_argument(
        "--max-length",
        type=float,
        default=600.0,
        help="longest music or dance accepted, seconds (default 600); raise it for longer pieces",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mumo import checks
    from mumo.audio import load as load_audio
    from mumo.files import OutputFolder, check_output_folder
    from mumo.motion.io import load_dance
    from mumo.motion.skeleton_maps import read_skeleton_map
    from mumo.pipeline import load
    from mumo.pipeline.pipeline import check_duration, check_sampling

    # every argument is checked before the model is loaded or a file is written
    sampling = check_sampling(
        {"guidance": args.guidance, "temperature": args.temperature, "top_k": args.top_k, "seed": args.seed,
         "batch": args.batch}
    )  # fmt: skip
    max_length = checks.number(args.max_length, "--max-length", above=0.0)
    duration = check_duration(args.duration, max_length)
    device = checks.device(args.device)
    for path, what in ((args.music, "music file"), (args.motion, "dance file")):
        if path is not None:
            checks.input_file(path, what)
    check_output_folder(args.out, args.overwrite)
    if args.motion is not None:
        skeleton_map = read_skeleton_map(args.bvh_joints) if args.bvh_joints else None
        joints, fps = load_dance(args.motion, args.motion_fps, skeleton_map)
    console = Console()
    pipe = load(args.checkpoint, device, compile=args.compile, bf16=args.bf16, max_length_s=max_length)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("generating", total=1.0)

        def advance(fraction: float) -> None:
            progress.update(task, completed=fraction)

        if args.music is not None:
            song = load_audio(
                args.music, pipe.sample_rate, max_seconds=None if duration else max_length,
                first_seconds=None if duration is None else duration + 1.0,
            )  # fmt: skip
            result = pipe.dance(
                song, pipe.sample_rate, motion_text=args.motion_text, duration_s=duration, progress=advance,
                **sampling,
            )  # fmt: skip
        elif args.motion is not None:
            result = pipe.music(
                joints, fps, music_text=args.music_text, duration_s=duration, progress=advance, **sampling
            )  # fmt: skip
        else:
            result = pipe.joint(
                duration or 10.0, music_text=args.music_text, motion_text=args.motion_text,
                progress=advance, **sampling,
            )  # fmt: skip
    with OutputFolder(args.out, args.overwrite) as staging:
        names = result.write(staging)
        settings = {"result": type(result).__name__, **vars(args)}
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in settings.items() if k != "func"}
        (staging / "generation.json").write_text(json.dumps(settings, indent=2) + "\n")
        videos = [] if args.no_video else _render(result, staging, console)
    console.print(f"{len(names) + 1 + len(videos)} files in {args.out}", soft_wrap=True)
    for video in videos:
        console.print(f"video: {args.out / video.relative_to(staging)}", soft_wrap=True)
    return 0


def _render(result: Performance, out: Path, console: Console) -> list[Path]:
    folders = [out] if len(result) == 1 else [out / f"sample_{i}" for i in range(len(result))]
    frames = int(result.duration_s * 30)
    videos = []
    with Progress(console=console, transient=True) as progress:
        for index, folder in enumerate(folders):
            task = progress.add_task(f"rendering {index + 1}/{len(folders)}", total=frames)
            videos.append(
                result.render(
                    folder / "video.mp4", sample=index, on_frame=lambda _, t=task: progress.advance(t)
                )
            )
    return videos
