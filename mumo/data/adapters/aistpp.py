"""AIST++ → mumo dataset: SMPL motions through forward kinematics, the AIST music, genre captions.

Expected input (the AIST++ annotations plus the AIST Dance DB music)::

    ROOT/motions/<sequence>.pkl        dict: smpl_poses [N, 72] (axis-angle, rad), smpl_trans [N, 3],
                                       smpl_scaling [1]; 60 fps
    ROOT/wav/<music id>.wav            the AIST music track of each sequence (e.g. mBR0.wav)
    ROOT/splits/crossmodal_{train,val,test}.txt   official split lists (one sequence name per line)
    ROOT/ignore_list.txt               sequences with bad motion capture, skipped

Joints are ``SMPL(poses, smpl_trans / smpl_scaling)`` with the mean body shape, shifted so the lowest joint
of the clip touches the floor (y = 0). The 22 first SMPL joints form mumo's skeleton; the 24-joint clip is
written to ``motion24/``. The music is cut to the dance's length (both start at the sequence start).
"""

from __future__ import annotations

import logging
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mumo.audio import load as load_audio
from mumo.data.adapters.output import DatasetWriter
from mumo.data.adapters.smpl import SMPLSkeleton
from mumo.data.clips import MOTION_FPS, MUSIC_SAMPLE_RATE, Split
from mumo.data.item_report import ItemReport
from mumo.errors import AudioError, DataError, MotionError, MumoError
from mumo.motion import validate_joints

logger = logging.getLogger(__name__)

GENRES = {
    "gBR": "break",
    "gPO": "pop",
    "gLO": "lock",
    "gMH": "middle hip-hop",
    "gLH": "LA-style hip-hop",
    "gHO": "house",
    "gWA": "waack",
    "gKR": "krump",
    "gJS": "street jazz",
    "gJB": "ballet jazz",
}
"""AIST genre codes and their names."""
SITUATIONS = {"sBM": "basic", "sFM": "advanced"}
"""AIST++ situation codes: basic dances and advanced (freestyle) dances."""
SPLIT_FILES: dict[Split, str] = {
    "train": "crossmodal_train.txt",
    "val": "crossmodal_val.txt",
    "test": "crossmodal_test.txt",
}
IGNORE_LIST = "ignore_list.txt"
_NAME = re.compile(r"^(g[A-Z]{2})_(s[A-Z]{2})_(c\w+?)_(d\d+)_(m[A-Z]{2}\d+)_(ch\d+)$")


@dataclass(frozen=True)
class SequenceName:
    """The parts of an AIST++ sequence name such as ``gBR_sBM_cAll_d04_mBR0_ch01``."""

    genre: str
    situation: str
    camera: str
    dancer: str
    music: str
    choreography: str

    @classmethod
    def parse(cls, name: str) -> SequenceName:
        """Split a sequence name into its parts.

        Raises:
            DataError: the name does not follow the AIST naming scheme or has an unknown genre.
        """
        match = _NAME.match(name)
        if match is None or match.group(1) not in GENRES:
            raise DataError(f"{name!r} is not an AIST++ sequence name (e.g. gBR_sBM_cAll_d04_mBR0_ch01)")
        return cls(*match.groups())

    @property
    def genre_name(self) -> str:
        return GENRES[self.genre]

    def motion_caption(self) -> str:
        """E.g. ``an advanced break dance`` (``a break dance`` for an unknown situation)."""
        level = SITUATIONS.get(self.situation)
        text = f"{level} {self.genre_name} dance" if level else f"{self.genre_name} dance"
        return f"{'an' if text[0] in 'aeiou' else 'a'} {text}"

    def music_caption(self) -> str:
        """E.g. ``break dance music``."""
        return f"{self.genre_name} dance music"


def read_name_list(path: Path) -> list[str]:
    """Sequence names in a split or ignore list (one per line; blank lines and ``.pkl`` suffixes dropped)."""
    names = (line.strip() for line in path.read_text().splitlines())
    return [name.removesuffix(".pkl") for name in names if name]


def read_splits(splits_dir: Path) -> dict[str, Split]:
    """Map each listed sequence name to its split.

    Raises:
        DataError: a split file is missing or a sequence is listed in two splits.
    """
    assignment: dict[str, Split] = {}
    for split, file_name in SPLIT_FILES.items():
        path = splits_dir / file_name
        if not path.is_file():
            raise DataError(
                f"AIST++ split list {path} not found; it comes with the AIST++ annotations "
                "(aist_plusplus_final/splits), or pass --splits-dir "
                "(format: mumo/data/resources/aistpp/README.md)"
            )
        for name in read_name_list(path):
            if assignment.get(name, split) != split:
                raise DataError(f"{name} is listed in both the {assignment[name]} and the {split} split")
            assignment[name] = split
    return assignment


def load_smpl_motion(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Poses ``[N, 72]`` and root translation ``[N, 3]`` in metres (``smpl_trans / smpl_scaling``).

    Raises:
        MotionError: unreadable pickle, missing keys, wrong shapes, mismatched frame counts, NaN values.
    """
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, ImportError) as exc:
        raise MotionError(f"{path.name}: corrupt or unreadable motion pickle ({exc})") from None
    if not isinstance(data, dict) or not {"smpl_poses", "smpl_trans"} <= data.keys():
        raise MotionError(f"{path.name}: motion pickle lacks smpl_poses / smpl_trans")
    poses = np.asarray(data["smpl_poses"], dtype=np.float64)
    trans = np.asarray(data["smpl_trans"], dtype=np.float64)
    scaling = float(np.asarray(data.get("smpl_scaling", 1.0), dtype=np.float64).reshape(-1)[0])
    if poses.ndim != 2 or poses.shape[1] != 72:
        raise MotionError(f"{path.name}: smpl_poses must be [N, 72], got {poses.shape}")
    if trans.shape != (len(poses), 3):
        raise MotionError(
            f"{path.name}: smpl_trans must be [{len(poses)}, 3] like the poses, got {trans.shape}"
        )
    if (
        not (np.isfinite(poses).all() and np.isfinite(trans).all())
        or not np.isfinite(scaling)
        or scaling <= 0
    ):
        raise MotionError(f"{path.name}: NaN/Inf values or a non-positive smpl_scaling")
    return poses, trans / scaling


def sequence_joints(skeleton: SMPLSkeleton, path: Path) -> np.ndarray:
    """The 24 SMPL joints ``[N, 24, 3]`` of a motion pickle, metres, y up, lowest point on the floor."""
    poses, trans = load_smpl_motion(path)
    joints = skeleton.forward(poses, trans)
    joints[..., 1] -= joints[..., 1].min()
    return validate_joints(joints, 24)


def prepare_aistpp(
    root: str | Path,
    smpl_model: str | Path,
    out: str | Path,
    splits_dir: str | Path | None = None,
    ignore_list: str | Path | None = None,
) -> ItemReport:
    """Write AIST++ in mumo's dataset layout (input layout in the module docstring).

    Args:
        root: the AIST++ folder.
        smpl_model: SMPL model ``.pkl`` / ``.npz`` (user-supplied; licence at https://smpl.is.tue.mpg.de).
        out: output dataset directory.
        splits_dir: folder of the split lists (default ``root/splits``).
        ignore_list: ignore list (default ``root/ignore_list.txt``; none when that file is absent).

    Returns:
        The run's report (also ``out/report.json``): sequences read, written, and skipped with reasons.

    Raises:
        DataError: no ``motions`` folder, unreadable SMPL model or missing split lists.
    """
    root = Path(root)
    motions = root / "motions"
    if not motions.is_dir():
        raise DataError(f"{motions} not found; point --root at the AIST++ folder holding motions/ and wav/")
    skeleton = SMPLSkeleton.load(smpl_model)
    splits = read_splits(Path(splits_dir) if splits_dir else root / "splits")
    ignore_path = Path(ignore_list) if ignore_list else root / IGNORE_LIST
    if ignore_list and not ignore_path.is_file():
        raise DataError(f"ignore list {ignore_path} not found")
    ignored = set(read_name_list(ignore_path)) if ignore_path.is_file() else set()
    writer = DatasetWriter(out, source=f"AIST++ {root}")
    for path in sorted(motions.glob("*.pkl")):
        name = path.stem
        if name in ignored:
            writer.skip(name, "on the AIST++ ignore list")
            continue
        if name not in splits:
            writer.skip(name, "not in any official split list")
            continue
        try:
            _add_sequence(writer, root, skeleton, path, splits[name])
        except MumoError as exc:
            writer.skip(name, f"{type(exc).__name__}: {exc}")
    return writer.close()


def _add_sequence(
    writer: DatasetWriter, root: Path, skeleton: SMPLSkeleton, path: Path, split: Split
) -> None:
    name = SequenceName.parse(path.stem)
    joints = sequence_joints(skeleton, path)
    music_path = root / "wav" / f"{name.music}.wav"
    audio = load_audio(music_path, MUSIC_SAMPLE_RATE)
    frames = min(len(joints), int(audio.shape[1] * MOTION_FPS / MUSIC_SAMPLE_RATE))
    if frames < MOTION_FPS:
        raise AudioError(f"{music_path.name} is shorter than one second")
    if frames < len(joints):
        logger.info(
            "%s: music is shorter than the dance; keeping %d of %d frames", path.stem, frames, len(joints)
        )
    joints = joints[:frames]
    writer.add(
        clip_id=path.stem,
        split=split,
        music=audio[:, : frames * MUSIC_SAMPLE_RATE // MOTION_FPS],
        joints=joints[:, :22],
        joints24=joints,
        music_caption=name.music_caption(),
        motion_caption=name.motion_caption(),
        style=name.genre_name,
    )
