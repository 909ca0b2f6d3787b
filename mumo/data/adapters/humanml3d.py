"""HumanML3D → mumo dataset: dance-free text-described motions (no music).

Expected input (the folder HumanML3D's own scripts produce)::

    ROOT/new_joint_vecs/<id>.npy   [T, 263] features at 20 fps (HumanML3D layout, not normalised)
    ROOT/texts/<id>.txt            one description per line: ``caption#tagged tokens#start#end``
    ROOT/{train,val,test}.txt      clip ids of each split, one per line

Features are resampled to 60 fps with :func:`mumo.motion.resample_features` (velocity channels rescaled to
the new frame duration) and turned into joints with :func:`mumo.motion.features_to_joints`. The motion
caption is the first description that covers the whole clip (``start`` and ``end`` 0), else the first one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mumo.data.adapters.output import DatasetWriter
from mumo.data.clips import MOTION_FPS, Split
from mumo.data.item_report import ItemReport
from mumo.errors import DataError, MotionError, MumoError
from mumo.motion import features_to_joints, resample_features

HUMANML3D_FPS = 20.0
"""Frame rate of HumanML3D's feature files, frames per second."""
SPLITS: tuple[Split, ...] = ("train", "val", "test")


def read_caption(path: Path) -> str:
    """The clip's caption from a HumanML3D text file (rule in the module docstring).

    Raises:
        DataError: the file is missing or holds no caption.
    """
    if not path.is_file():
        raise DataError(f"caption file {path.name} not found")
    whole, partial = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.strip().split("#")
        if not fields[0].strip():
            continue
        times = [float(v) if v.strip() and v.strip().lower() != "nan" else 0.0 for v in fields[2:4]]
        (whole if not any(times) else partial).append(fields[0].strip())
    captions = whole or partial
    if not captions:
        raise DataError(f"caption file {path.name} holds no caption")
    return captions[0]


def clip_joints(path: Path) -> np.ndarray:
    """Joints ``[T * 3, 22, 3]`` at 60 fps from one 20 fps feature file.

    Raises:
        MotionError: missing or unreadable file, wrong shape, NaN values, too few frames.
    """
    if not path.is_file():
        raise MotionError(f"feature file {path.name} not found")
    try:
        features = np.load(path)
    except (OSError, ValueError, EOFError) as exc:
        raise MotionError(f"{path.name}: unreadable .npy file ({exc})") from None
    return features_to_joints(resample_features(features, HUMANML3D_FPS, MOTION_FPS))


def prepare_humanml3d(root: str | Path, out: str | Path) -> ItemReport:
    """Write HumanML3D in mumo's dataset layout (dance-only clips, input layout in the module docstring).

    Returns:
        The run's report (also ``out/report.json``).

    Raises:
        DataError: a split list is missing.
    """
    root = Path(root)
    lists = {split: root / f"{split}.txt" for split in SPLITS}
    for path in lists.values():
        if not path.is_file():
            raise DataError(f"HumanML3D split list {path} not found; point --root at the HumanML3D folder")
    writer = DatasetWriter(out, source=f"HumanML3D {root}")
    for split, path in lists.items():
        for clip_id in (line.strip() for line in path.read_text().splitlines()):
            if not clip_id:
                continue
            try:
                caption = read_caption(root / "texts" / f"{clip_id}.txt")
                joints = clip_joints(root / "new_joint_vecs" / f"{clip_id}.npy")
                writer.add(clip_id, split, None, joints, music_caption="", motion_caption=caption)
            except MumoError as exc:
                writer.skip(clip_id, f"{type(exc).__name__}: {exc}")
    return writer.close()
