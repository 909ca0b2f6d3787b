"""AIST++ → mumo dataset: joints from SMPL fits or 3-D keypoints, the AIST music, genre captions.

Expected input (the AIST++ annotations plus the AIST Dance DB music)::

    ROOT/motions/<sequence>.pkl        dict: smpl_poses [N, 72] (axis-angle, rad), smpl_trans [N, 3],
                                       smpl_scaling [1]; 60 fps              (joints_from="smpl")
    ROOT/keypoints3d/<sequence>.pkl    dict: keypoints3d_optim (else keypoints3d) [N, 17, 3], COCO order,
                                       y up, cm (m / mm recognised); 60 fps   (joints_from="keypoints3d");
                                       NaN gaps of up to MAX_KEYPOINT_GAP frames per keypoint are filled
    ROOT/wav/<music id>.wav            the AIST music track of each sequence (e.g. mBR0.wav)
    ROOT/splits/crossmodal_{train,val,test}.txt, ROOT/ignore_list.txt
                                       optional: mumo ships the lists (see :mod:`.aistpp_lists`)

From SMPL fits, joints are ``SMPL(poses, smpl_trans / smpl_scaling)`` with the mean body shape. From
keypoints, the twelve limb joints are the keypoints and the others are estimated
(:func:`mumo.motion.coco17.coco17_to_smpl24`); no SMPL model is needed. Either way the clip is shifted so
its lowest joint touches the floor (y = 0), the 22 first SMPL joints form mumo's skeleton and the 24-joint
clip is written to ``motion24/``. The music is cut to the dance's length (both start at the sequence start).
"""

from __future__ import annotations

import logging
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from mumo.audio import load as load_audio
from mumo.data.adapters.aistpp_lists import resolve_lists
from mumo.data.adapters.output import DatasetWriter
from mumo.data.adapters.smpl import SMPLSkeleton
from mumo.data.clips import MOTION_FPS, MUSIC_SAMPLE_RATE, Split
from mumo.data.item_report import ItemReport
from mumo.errors import AudioError, DataError, MotionError, MumoError
from mumo.motion import validate_joints
from mumo.motion.coco17 import COCO17_NAMES, coco17_to_smpl24, recognise_keypoint_unit
from mumo.motion.gaps import FilledGaps, fill_gaps

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
JointsSource = Literal["smpl", "keypoints3d"]
KEYPOINT_KEYS = ("keypoints3d_optim", "keypoints3d")
"""Keypoint arrays in an AIST++ keypoint pickle, in order of preference (the optimised ones are smoother)."""
MAX_KEYPOINT_GAP = 6
"""Longest run of NaN frames of one keypoint (0.1 s at 60 fps) that is interpolated; a longer one skips
the sequence. The raw ``keypoints3d`` arrays lose single keypoints for a frame or two where triangulation
failed."""
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


def _load_pickle(path: Path) -> object:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, ImportError) as exc:
        raise MotionError(f"{path.name}: corrupt or unreadable pickle ({exc})") from None


def load_smpl_motion(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Poses ``[N, 72]`` and root translation ``[N, 3]`` in metres (``smpl_trans / smpl_scaling``).

    Raises:
        MotionError: unreadable pickle, missing keys, wrong shapes, mismatched frame counts, NaN values.
    """
    data = _load_pickle(path)
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


def load_keypoints3d(path: Path) -> FilledGaps:
    """COCO keypoints ``[N, 17, 3]`` in metres, y up: ``keypoints3d_optim`` if present, else ``keypoints3d``.

    NaN gaps of up to :data:`MAX_KEYPOINT_GAP` frames per keypoint are interpolated
    (:func:`mumo.motion.gaps.fill_gaps`). The unit (cm in AIST++; m and mm also recognised) is read from the
    dancer's leg-and-trunk length.

    Returns:
        The keypoints (``points``) and how many gaps and keypoint-frames were filled.

    Raises:
        MotionError: unreadable pickle, no keypoint array, wrong shape, a longer NaN gap, or a body that is
            not upright along +y.
    """
    data = _load_pickle(path)
    key = next((k for k in KEYPOINT_KEYS if isinstance(data, dict) and k in data), None)
    if key is None:
        raise MotionError(f"{path.name}: keypoint pickle lacks {' / '.join(KEYPOINT_KEYS)}")
    keypoints = np.asarray(data[key], dtype=np.float64)
    if keypoints.ndim != 3 or keypoints.shape[1:] != (len(COCO17_NAMES), 3):
        raise MotionError(f"{path.name}: {key} must be [N, 17, 3] (COCO order), got {keypoints.shape}")
    try:
        filled = fill_gaps(keypoints, MAX_KEYPOINT_GAP, COCO17_NAMES)
    except MotionError as exc:
        raise MotionError(f"{path.name}: {key}: {exc}") from None
    keypoints = filled.points / recognise_keypoint_unit(filled.points)
    shoulders = keypoints[:, [COCO17_NAMES.index("left_shoulder"), COCO17_NAMES.index("right_shoulder")]]
    ankles = keypoints[:, [COCO17_NAMES.index("left_ankle"), COCO17_NAMES.index("right_ankle")]]
    up = (shoulders.mean(axis=1) - ankles.mean(axis=1)).mean(axis=0)
    if np.argmax(np.abs(up)) != 1 or up[1] <= 0:
        raise MotionError(
            f"{path.name}: the dancer is not upright along +y (mean ankle-to-shoulder direction "
            f"{np.round(up / np.linalg.norm(up), 2).tolist()}); mumo expects y-up keypoints as in AIST++"
        )
    return replace(filled, points=keypoints)


def smpl_sequence_joints(skeleton: SMPLSkeleton, path: Path) -> np.ndarray:
    """The 24 SMPL joints ``[N, 24, 3]`` of a motion pickle, metres, y up, lowest point on the floor."""
    poses, trans = load_smpl_motion(path)
    return _on_floor(skeleton.forward(poses, trans))


def keypoint_sequence_joints(path: Path) -> tuple[np.ndarray, FilledGaps]:
    """The 24 SMPL joints ``[N, 24, 3]`` estimated from a keypoint pickle (metres, y up, on the floor), and
    the keypoints with the gaps that were filled."""
    keypoints = load_keypoints3d(path)
    return _on_floor(coco17_to_smpl24(keypoints.points)), keypoints


def _on_floor(joints: np.ndarray) -> np.ndarray:
    joints[..., 1] -= joints[..., 1].min()
    return validate_joints(joints, 24)


def prepare_aistpp(
    root: str | Path,
    smpl_model: str | Path | None,
    out: str | Path,
    splits_dir: str | Path | None = None,
    ignore_list: str | Path | None = None,
    joints_from: JointsSource = "smpl",
) -> ItemReport:
    """Write AIST++ in mumo's dataset layout (input layout in the module docstring).

    Args:
        root: the AIST++ folder.
        smpl_model: SMPL model ``.pkl`` / ``.npz`` (user-supplied; licence at https://smpl.is.tue.mpg.de);
            needed for ``joints_from="smpl"`` only.
        out: output dataset directory.
        splits_dir: folder of the split lists (rules in :mod:`mumo.data.adapters.aistpp_lists`).
        ignore_list: ignore list file (same rules).
        joints_from: ``"smpl"`` (forward kinematics of ``motions/``) or ``"keypoints3d"`` (``keypoints3d/``,
            spine, collar, toe and hand joints estimated).

    Returns:
        The run's report (also ``out/report.json``): sequences read, written, and skipped with reasons, where
        each list was read from, the joint source, and (from keypoints) the NaN gaps filled per sequence
        (``keypoint_gaps_filled``: ``{sequence: {"gaps", "keypoint_frames"}}``, ``max_keypoint_gap_frames``).

    Raises:
        DataError: no input folder, no or unreadable SMPL model, an unknown ``joints_from``, or unusable
            split lists.
    """
    root = Path(root)
    folder_name, joints_of, method = _joint_source(joints_from, smpl_model)
    folder = root / folder_name
    if not folder.is_dir():
        raise DataError(f"{folder} not found; point --root at the AIST++ folder with {folder_name}/ and wav/")
    lists = resolve_lists(root, splits_dir, ignore_list)
    writer = DatasetWriter(out, source=f"AIST++ {root}, joints from {method}")
    writer.report.extra.update(joints_from=joints_from, **lists.as_report())
    gaps_filled: dict[str, dict[str, int]] = {}
    if joints_from == "keypoints3d":
        writer.report.extra.update(max_keypoint_gap_frames=MAX_KEYPOINT_GAP, keypoint_gaps_filled=gaps_filled)
    for path in sorted(folder.glob("*.pkl")):
        name = path.stem
        if name in lists.ignored:
            writer.skip(name, "on the AIST++ ignore list")
            continue
        if name not in lists.splits:
            writer.skip(name, "not in any split list")
            continue
        try:
            joints, keypoints = joints_of(path)
            _add_sequence(writer, root, joints, name, lists.splits[name])
        except MumoError as exc:
            writer.skip(name, f"{type(exc).__name__}: {exc}")
            continue
        if keypoints is not None and keypoints.gaps:
            gaps_filled[name] = {"gaps": keypoints.gaps, "keypoint_frames": keypoints.frames}
    return writer.close()


def _joint_source(
    joints_from: str, smpl_model: str | Path | None
) -> tuple[str, Callable[[Path], tuple[np.ndarray, FilledGaps | None]], str]:
    """``(input folder, path → ([N, 24, 3] joints, keypoints with their filled gaps or None), description)``
    of a joint source."""
    if joints_from == "smpl":
        if smpl_model is None:
            raise DataError(
                "joints from SMPL fits need an SMPL model file (--smpl-model); without one, use "
                "--joints-from keypoints3d"
            )
        skeleton = SMPLSkeleton.load(smpl_model)
        return "motions", lambda path: (smpl_sequence_joints(skeleton, path), None), "SMPL fits"
    if joints_from == "keypoints3d":
        return "keypoints3d", keypoint_sequence_joints, "3-D keypoints (spine/collar/toe/hand estimated)"
    raise DataError(f"joints_from must be 'smpl' or 'keypoints3d', got {joints_from!r}")


def _add_sequence(writer: DatasetWriter, root: Path, joints: np.ndarray, clip_id: str, split: Split) -> None:
    name = SequenceName.parse(clip_id)
    music_path = root / "wav" / f"{name.music}.wav"
    audio = load_audio(music_path, MUSIC_SAMPLE_RATE)
    frames = min(len(joints), int(audio.shape[1] * MOTION_FPS / MUSIC_SAMPLE_RATE))
    if frames < MOTION_FPS:
        raise AudioError(f"{music_path.name} is shorter than one second")
    if frames < len(joints):
        logger.info("%s: music shorter than the dance; keeping %d of %d frames", clip_id, frames, len(joints))
    joints = joints[:frames]
    writer.add(
        clip_id=clip_id,
        split=split,
        music=audio[:, : frames * MUSIC_SAMPLE_RATE // MOTION_FPS],
        joints=joints[:, :22],
        joints24=joints,
        music_caption=name.music_caption(),
        motion_caption=name.motion_caption(),
        style=name.genre_name,
    )
