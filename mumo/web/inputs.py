"""Songs and dances sent to the web page, read under the page's length limit.

Errors name the file by its name alone (not the server's copy of it), so the page can show them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from mumo.audio import load as load_audio
from mumo.errors import AudioError, InputError, MotionError, MumoError
from mumo.motion.io import DANCE_SUFFIXES, load_dance
from mumo.pipeline.pipeline import check_duration as check_duration_of_pipeline

SONG_SUFFIXES = (".wav", ".mp3", ".ogg", ".flac")
"""Song files the page takes."""


def read_song(path: str | Path, sample_rate: int, max_seconds: float) -> np.ndarray:
    """A song as mono float32 ``[1, N]`` at ``sample_rate`` Hz.

    Raises:
        AudioError: not a song file, or empty, cut off, unreadable, non-finite, or longer than
            ``max_seconds`` seconds (found from the header, before decoding).
    """
    path = Path(path)
    with _named(path):
        if path.suffix.lower() not in SONG_SUFFIXES:
            raise AudioError(f"{path}: not a song file; give one of {', '.join(SONG_SUFFIXES)}")
        return load_audio(path, sample_rate, max_seconds=max_seconds)


def read_dance(path: str | Path, fps: float, max_seconds: float) -> tuple[np.ndarray, float]:
    """SMPL22 joints ``[T, 22, 3]`` (metres, y up) of a ``.bvh`` or ``.npy`` dance, and their frame rate
    (``fps`` for a ``.npy``; a BVH states its own).

    Raises:
        MotionError: not a dance file, another skeleton, wrong shape or non-finite values.
        InputError: longer than ``max_seconds`` seconds.
    """
    path = Path(path)
    with _named(path):
        if path.suffix.lower() not in DANCE_SUFFIXES:
            raise MotionError(f"{path}: not a dance file; give one of {', '.join(DANCE_SUFFIXES)}")
        joints, fps = load_dance(path, fps)
        seconds = len(joints) / fps
        if seconds > max_seconds:
            allowed = f"more than the {max_seconds:g} s allowed"
            raise InputError(f"{path}: the dance lasts {seconds:.0f} s, {allowed}")
        return joints, fps


def check_duration(duration_s: float | None, max_seconds: float) -> float | None:
    """``duration_s`` (seconds; ``None`` or 0 for the whole input) when the page may generate that much.

    Raises:
        InputError: not a number of seconds in [1, ``max_seconds``] (:func:`mumo.pipeline.check_duration`).
    """
    return check_duration_of_pipeline(duration_s or None, max_seconds)


@contextmanager
def _named(path: Path) -> Iterator[None]:
    """Re-raise mumo errors with ``path`` written as its file name."""
    try:
        yield
    except MumoError as exc:
        raise type(exc)(str(exc).replace(str(path), path.name)) from None
