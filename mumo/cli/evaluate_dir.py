"""``mumo evaluate-dir``: dance metrics for folders of joint arrays from any system."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from mumo.data.clips import read_index
from mumo.errors import DataError, MotionError

EPILOG = """examples:
  mumo evaluate-dir --generated outputs/joints --reference data/aist_test_joints
  mumo evaluate-dir --generated gen/ --reference gt/ --bootstrap 200 --json scores.json --cache .gt_cache
  mumo evaluate-dir --generated mumo_out/ --reference aist_smpl24/ --joints 22   # SMPL22 vs 24-joint GT

Each folder holds .npy joint arrays [T, 24, 3] (SMPL) or [T, 22, 3] (SMPL22), metres, y up, 60 fps, or is a
mumo dataset (index.jsonl) of which --generated-split / --reference-split pick one split:
  mumo evaluate-dir --generated data/synth --generated-split test \
      --reference data/synth --reference-split train
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-dir",
        help="score folders of generated dances against ground truth (FID_k/m, Div_k/m, quality)",
        description="Bailando-protocol dance metrics plus jitter, speed and foot skating for .npy folders.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--generated", type=Path, required=True, help="folder of generated .npy joints")
    parser.add_argument("--reference", type=Path, required=True, help="folder of ground-truth .npy joints")
    parser.add_argument("--generated-split", default=None, help="split to use when --generated is a dataset")
    parser.add_argument("--reference-split", default=None, help="split to use when --reference is a dataset")
    parser.add_argument(
        "--joints",
        type=int,
        choices=(22, 24),
        default=None,
        help="score only the first 22 (SMPL22 variant) or 24 joints; needed when the folders differ",
    )
    parser.add_argument("--bootstrap", type=int, default=0, help="bootstrap resamples for 95%% intervals")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--cache", type=Path, default=None, help="cache folder for ground-truth features")
    parser.add_argument("--json", type=Path, default=None, help="also write the scores as JSON here")
    parser.set_defaults(func=run)


def load_joint_dir(directory: Path, split: str | None = None) -> list[np.ndarray]:
    """All ``.npy`` joint arrays of a folder, sorted by name, or the clips of ``split`` when the folder is a
    mumo dataset; each must be ``[T, 22 or 24, 3]``."""
    if not directory.is_dir():
        raise DataError(f"{directory}: folder not found")
    if split is not None:
        records = read_index(directory, split)  # type: ignore[arg-type]
        paths = [directory / r.joints_path for r in records if r.joints_path is not None]
    else:
        paths = sorted(directory.glob("*.npy"))
    if not paths:
        raise DataError(f"{directory}: no .npy joint arrays found")
    clips = []
    for path in paths:
        try:
            clip = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise MotionError(f"{path}: not a readable .npy array ({exc})") from None
        if clip.ndim != 3 or clip.shape[1] not in (22, 24) or clip.shape[2] != 3:
            raise MotionError(f"{path}: expected joints [T, 22 or 24, 3], got shape {clip.shape}")
        if not np.isfinite(clip).all():
            raise MotionError(f"{path}: joints contain NaN or Inf")
        clips.append(clip)
    return clips


def run(args: argparse.Namespace) -> int:
    from mumo import checks
    from mumo.files import write_text_atomically
    from mumo.metrics.cache import FeatureCache
    from mumo.metrics.dance import evaluate, extract_features, select_joints
    from mumo.metrics.motion_quality import motion_quality

    if args.json is not None:
        checks.output_file(args.json, "JSON scores", (".json",))
    generated = select_joints(load_joint_dir(args.generated, args.generated_split), args.joints)
    reference = select_joints(load_joint_dir(args.reference, args.reference_split), args.joints)
    joints = {clip.shape[1] for clip in generated + reference}
    if len(joints) > 1:
        raise MotionError(
            f"the folders mix skeletons with {sorted(joints)} joints; pass --joints 22 to score SMPL22 joints"
        )
    gt = FeatureCache(args.cache).features(reference) if args.cache else extract_features(reference)
    scores: dict = dict(evaluate(generated, gt, bootstrap=args.bootstrap, seed=args.seed))
    scores.update(motion_quality(generated, reference))
    scores["num_generated"], scores["num_reference"] = len(generated), len(reference)
    scores["num_joints"] = joints.pop()

    table = Table(title=f"{args.generated} vs {args.reference}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("95% interval", justify="right")
    for key, value in scores.items():
        if key.endswith("_ci95"):
            continue
        interval = scores.get(f"{key}_ci95")
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        table.add_row(key, shown, f"[{interval[0]:.3f}, {interval[1]:.3f}]" if interval else "")
    Console().print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(args.json, json.dumps(scores, indent=2) + "\n")
    return 0
