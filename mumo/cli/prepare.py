"""``mumo prepare``: turn public datasets into mumo's dataset layout, and pair music with dances."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from mumo.data.item_report import ItemReport

EPILOG = """examples:
  mumo prepare aistpp --root data/raw/aist_plusplus_final --smpl-model smpl/SMPL_NEUTRAL.pkl \\
      --out data/aistpp
  mumo prepare aistpp --root data/raw/aist_plusplus_final --joints-from keypoints3d --out data/aistpp_kp
  mumo prepare humanml3d --root data/raw/HumanML3D --out data/humanml3d
  mumo prepare music4all --root data/raw/music4all --out data/music4all --max-duration 30
  mumo prepare musiccaps --csv data/raw/musiccaps-public.csv --out data/musiccaps
  mumo prepare pair --music data/music4all --dances data/aistpp --out data/m4a_aistpp --dances-per-track 2

Every sub-verb writes OUT/report.json: items read, written, and skipped with the reason for each.
See docs/datasets.md for where to obtain each dataset and the folder layout expected.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prepare",
        help="convert AIST++, HumanML3D, Music4All, MusicCaps; pair music with dances",
        description="Convert public datasets into mumo's layout (index.jsonl, music/, motion/, ...).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="datasets", dest="prepare_verb", metavar="DATASET", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("--out", type=Path, required=True, help="output directory")
        return sub

    aistpp = add("aistpp", "AIST++ dances (SMPL fits or 3-D keypoints) with their music and genre captions")
    aistpp.add_argument("--root", type=Path, required=True, help="AIST++ folder with motions/, wav/")
    aistpp.add_argument(
        "--joints-from",
        choices=("smpl", "keypoints3d"),
        default="smpl",
        help="smpl: forward kinematics of motions/ (needs --smpl-model); keypoints3d: keypoints3d/, with "
        "spine, collar, toe and hand joints estimated (default: smpl)",
    )
    aistpp.add_argument("--smpl-model", type=Path, help="SMPL model .pkl or .npz (licensed; for smpl)")
    aistpp.add_argument(
        "--splits-dir", type=Path, help="split lists folder (default ROOT/splits, else mumo's copy)"
    )
    aistpp.add_argument(
        "--ignore-list", type=Path, help="ignore list (default ROOT/ignore_list.txt, else mumo's copy)"
    )
    aistpp.set_defaults(func=_run_aistpp)

    humanml3d = add("humanml3d", "HumanML3D text-described motions, resampled from 20 to 60 fps")
    humanml3d.add_argument(
        "--root", type=Path, required=True, help="HumanML3D folder (new_joint_vecs/, texts/)"
    )
    humanml3d.set_defaults(func=_run_humanml3d)

    music4all = add("music4all", "Music4All tracks with captions from genres, tags and tempo (music only)")
    music4all.add_argument(
        "--root", type=Path, required=True, help="Music4All folder (audios/, id_genres.csv)"
    )
    music4all.add_argument("--max-duration", type=float, help="keep at most this many seconds per track")
    music4all.set_defaults(func=_run_music4all)

    musiccaps = add("musiccaps", "MusicCaps captions as an evaluation prompt set (prompts.jsonl)")
    musiccaps.add_argument("--csv", type=Path, required=True, help="musiccaps-public.csv")
    musiccaps.set_defaults(func=_run_musiccaps)

    pair = add("pair", "pair music-only tracks with beat-aligned (time-warped) dance clips")
    pair.add_argument(
        "--music", type=Path, required=True, help="dataset whose clips with music are the tracks"
    )
    pair.add_argument(
        "--dances", type=Path, required=True, help="dataset whose clips with motion are the dances"
    )
    pair.add_argument("--dances-per-track", type=int, default=1, help="dances paired with each track")
    pair.add_argument("--seed", type=int, default=0, help="seed of the dance choice and segment starts")
    pair.add_argument("--max-rate-change", type=float, default=1.5, help="largest local speed change")
    pair.set_defaults(func=_run_pair)


def _run_aistpp(args: argparse.Namespace) -> int:
    from mumo.data.adapters.aistpp import prepare_aistpp

    report = prepare_aistpp(
        args.root, args.smpl_model, args.out, args.splits_dir, args.ignore_list, args.joints_from
    )
    _summarise(args.out, report)
    sources = "; ".join(f"{name}: {source}" for name, source in report.extra["lists"].items())
    console = Console(soft_wrap=True)
    console.print(f"  lists: {sources}")
    if filled := report.extra.get("keypoint_gaps_filled"):
        console.print(
            f"  keypoint gaps of up to {report.extra['max_keypoint_gap_frames']} frames interpolated: "
            f"{sum(f['gaps'] for f in filled.values())} in {len(filled)} sequences"
        )
    return 0


def _run_humanml3d(args: argparse.Namespace) -> int:
    from mumo.data.adapters.humanml3d import prepare_humanml3d

    return _summarise(args.out, prepare_humanml3d(args.root, args.out))


def _run_music4all(args: argparse.Namespace) -> int:
    from mumo.data.adapters.music4all import prepare_music4all

    return _summarise(args.out, prepare_music4all(args.root, args.out, args.max_duration))


def _run_musiccaps(args: argparse.Namespace) -> int:
    from mumo.data.adapters.musiccaps import prepare_musiccaps

    return _summarise(args.out, prepare_musiccaps(args.csv, args.out))


def _run_pair(args: argparse.Namespace) -> int:
    from mumo.data.pairing import PairingConfig, pair_datasets

    config = PairingConfig(args.dances_per_track, args.seed, args.max_rate_change)
    report = pair_datasets(args.music, args.dances, args.out, config)
    _summarise(args.out, report)
    if report.extra["pairs"]:
        Console(soft_wrap=True).print(
            f"  beat align score: {report.extra['bas_before_mean']:.3f} before warping, "
            f"{report.extra['bas_after_mean']:.3f} after"
        )
    return 0


def _summarise(out: Path, report: ItemReport) -> int:
    console = Console(soft_wrap=True)
    console.print(f"{out}: {report.summary()}")
    for name, reason in report.skipped[:10]:
        console.print(f"  skipped {name}: {reason}")
    if len(report.skipped) > 10:
        console.print(f"  ... {len(report.skipped) - 10} more in {out / 'report.json'}")
    return 0
