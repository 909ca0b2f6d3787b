"""Songs and dances sent to the web page, read under the page's length limit.

Errors name the file by its name alone (not the server's copy of it), so the page can show them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import soundfile as sf

from mumo.audio import load as load_audio
from mumo.errors import AudioError, LimitError, MotionError, MumoError
from mumo.motion.io import DANCE_SUFFIXES, load_dance

SONG_SUFFIXES = (".wav", ".mp3", ".ogg", ".flac")
"""Song files the page takes."""


def read_song(path: str | Path, sample_rate: int, max_seconds: float) -> np.ndarray:
    """A song as mono float32 ``[1, N]`` at ``sample_rate`` Hz.

    Raises:
        AudioError: not a song file, or empty, cut off, unreadable or non-finite.
        LimitError: longer than ``max_seconds`` seconds (found from the header, before decoding).
    """
    path = Path(path)
    with _named(path):
        if path.suffix.lower() not in SONG_SUFFIXES:
            raise AudioError(f"{path}: not a song file; give one of {', '.join(SONG_SUFFIXES)}")
        if path.is_file() and path.stat().st_size > 0:
            _check_length(_song_seconds(path), max_seconds, path, "song")
        return load_audio(path, sample_rate)


def read_dance(path: str | Path, fps: float, max_seconds: float) -> tuple[np.ndarray, float]:
    """SMPL22 joints ``[T, 22, 3]`` (metres, y up) of a ``.bvh`` or ``.npy`` dance, and their frame rate
    (``fps`` for a ``.npy``; a BVH states its own).

    Raises:
        MotionError: not a dance file, another skeleton, wrong shape or non-finite values.
        LimitError: longer than ``max_seconds`` seconds.
    """
    path = Path(path)
    with _named(path):
        if path.suffix.lower() not in DANCE_SUFFIXES:
            raise MotionError(f"{path}: not a dance file; give one of {', '.join(DANCE_SUFFIXES)}")
        joints, fps = load_dance(path, fps)
        _check_length(len(joints) / fps, max_seconds, path, "dance")
        return joints, fps


def check_duration(duration_s: float | None, max_seconds: float) -> float | None:
    """``duration_s`` (seconds; ``None`` or 0 for the whole input) when the page may generate that much.

    Raises:
        LimitError: negative, or more than ``max_seconds``.
    """
    if not duration_s:
        return None
    if duration_s < 0 or duration_s > max_seconds:
        raise LimitError(f"duration {duration_s:g} s is out of range; choose up to {max_seconds:g} s")
    return float(duration_s)


def _song_seconds(path: Path) -> float:
    try:
        return float(sf.info(path).duration)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{path}: not a readable audio file ({exc})") from None


def _check_length(seconds: float, max_seconds: float, path: Path, what: str) -> None:
    if seconds > max_seconds:
        raise LimitError(
            f"{path}: the {what} lasts {seconds:.0f} s; the page takes up to {max_seconds:g} s (cut it first)"
        )


@contextmanager
def _named(path: Path) -> Iterator[None]:
    """Re-raise mumo errors with ``path`` written as its file name."""
    try:
        yield
    except MumoError as exc:
        raise type(exc)(str(exc).replace(str(path), path.name)) from None
