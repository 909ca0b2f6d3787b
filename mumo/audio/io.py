"""Reading, validating, resampling and writing audio.

Waveforms are float32 arrays ``[C, N]`` (channels, samples) in [-1, 1] with an explicit sample rate in Hz.
Reading uses soundfile, resampling uses soxr (no torchaudio).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from mumo.errors import AudioError
from mumo.files import temporary_file

SILENCE_RMS = 1e-4
"""RMS level below which a waveform counts as silent (about -80 dBFS)."""
_SHORT_DATA_CHUNK = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
"""libsndfile's header log line for an audio-data chunk whose declared size exceeds what the file holds."""
_STREAMED_SIZES = (0, 0x7FFFFFFF, 0xFFFFFFFF)
"""Data-chunk sizes written by streaming encoders that cannot know the length (not truncation)."""
MAX_CHANNELS = 8
"""Most channels an array is taken to have: a ``[N, C]`` array with ``C`` up to this is read as channels
last."""
MAX_FLOAT_PEAK = 4.0
"""Largest float sample accepted; beyond it the array is integer PCM stored as float, or not audio."""


def _complete_info(path: Path) -> sf._SoundFileInfo:
    """The file's header (rate, length), after checking it does not promise more audio data than the file
    holds (a cut-off download or copy)."""
    try:
        info = sf.info(path, verbose=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{path}: not a readable audio file ({exc})") from None
    match = _SHORT_DATA_CHUNK.search(info.extra_info)
    if match is None:
        return info
    declared, present = int(match.group(1)), int(match.group(2))
    if declared not in _STREAMED_SIZES and present < declared:
        raise AudioError(
            f"{path}: truncated file (header declares {declared} bytes of audio, {present} present); "
            "copy or export it again"
        )
    return info


def load(
    path: str | Path,
    sample_rate: int,
    mono: bool = True,
    max_seconds: float | None = None,
    first_seconds: float | None = None,
) -> np.ndarray:
    """Read an audio file and resample it.

    Args:
        path: any format libsndfile reads (WAV, FLAC, OGG, MP3 with libsndfile >= 1.1).
        sample_rate: target rate in Hz.
        mono: average the channels into one.
        max_seconds: refuse, before reading any audio, a file longer than this.
        first_seconds: read only this many seconds from the start (all of a shorter file).

    Returns:
        float32 ``[C, N]`` at ``sample_rate`` (``C = 1`` when ``mono``).

    Raises:
        AudioError: the file is missing, empty, truncated (cut inside the header or the audio data), not
            audio, longer than ``max_seconds``, or holds non-finite samples.
    """
    path = Path(path)
    if path.is_dir():
        raise AudioError(f"{path}: is a directory, not an audio file")
    if not path.is_file():
        raise AudioError(f"{path}: audio file not found")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: file is empty (0 bytes)")
    info = _complete_info(path)
    if max_seconds is not None:
        length_s = info.duration
        if length_s > max_seconds:
            raise AudioError(
                f"{path}: {length_s:.0f} s of audio, more than the {max_seconds:g} s allowed; cut it first, "
                "or ask for a shorter duration"
            )
    try:
        frames = -1 if first_seconds is None else max(1, round(first_seconds * info.samplerate))
        data, file_rate = sf.read(path, frames=frames, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{path}: not a readable audio file ({exc})") from None
    if data.shape[0] == 0:
        raise AudioError(f"{path}: audio has no samples")
    audio = np.ascontiguousarray(data.T)
    validate_audio(audio, name=str(path))
    if mono:
        audio = audio.mean(axis=0, keepdims=True)
    return resample(audio, file_rate, sample_rate)


def resample(audio: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample ``[C, N]`` audio from ``src_rate`` to ``dst_rate`` Hz (soxr, high quality); float32 out."""
    if src_rate <= 0 or dst_rate <= 0:
        raise AudioError(f"sample rates must be positive, got {src_rate} -> {dst_rate} Hz")
    audio = np.asarray(audio, dtype=np.float32)
    if src_rate == dst_rate:
        return audio
    out = soxr.resample(audio.T, src_rate, dst_rate, quality="HQ")
    return np.ascontiguousarray(out.T, dtype=np.float32).reshape(audio.shape[0], -1)


def as_waveform(audio: object, name: str = "audio") -> np.ndarray:
    """A float32 ``[C, N]`` waveform in [-1, 1] from an array a user gives.

    Accepts ``[N]``, ``[C, N]`` and ``[N, C]`` (read as channels last when ``C <= MAX_CHANNELS < N``),
    float samples, and integer PCM (scaled by its type's full range, e.g. int16 / 32768).

    Raises:
        AudioError: not a numeric array, another rank, float samples far outside [-1, 1], no samples, or
            non-finite values.
    """
    array = np.asarray(audio)
    if array.dtype.kind in "iu":
        info = np.iinfo(array.dtype)
        middle = (int(info.max) + int(info.min) + 1) / 2
        array = (array.astype(np.float64) - middle) / (int(info.max) - middle + 1)
    elif array.dtype.kind != "f":
        raise AudioError(f"{name}: expected numeric samples, got an array of {array.dtype}")
    array = array.astype(np.float32)
    if array.ndim == 1:
        array = array[None]
    elif array.ndim == 2 and array.shape[1] <= MAX_CHANNELS < array.shape[0]:
        array = np.ascontiguousarray(array.T)
    validate_audio(array, name)
    peak = float(np.abs(array).max())
    if peak > MAX_FLOAT_PEAK:
        raise AudioError(
            f"{name}: float samples reach {peak:g} but float audio lies in [-1, 1] (integer PCM stored as "
            "float? divide it by 32768, or pass the integer array itself)"
        )
    return array


def validate_audio(audio: np.ndarray, name: str = "audio", channels: int | None = None) -> None:
    """Check a ``[C, N]`` waveform: rank 2, at least one sample, finite values, optionally ``C == channels``.

    Raises:
        AudioError: naming ``name`` and what is wrong.
    """
    if audio.ndim != 2:
        raise AudioError(f"{name}: expected audio of shape [C, N], got shape {tuple(audio.shape)}")
    if audio.shape[1] == 0:
        raise AudioError(f"{name}: audio has no samples")
    if channels is not None and audio.shape[0] != channels:
        raise AudioError(f"{name}: expected {channels} channel(s), got {audio.shape[0]}")
    bad = ~np.isfinite(audio)
    if bad.any():
        first = int(np.argwhere(bad)[0][1])
        raise AudioError(f"{name}: {int(bad.sum())} non-finite samples (first at sample {first})")


def is_silent(audio: np.ndarray, threshold_rms: float = SILENCE_RMS) -> bool:
    """True when the RMS level of ``audio`` (any shape) is below ``threshold_rms``."""
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) < threshold_rms


def save(path: str | Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Write ``[C, N]`` float audio as 16-bit PCM WAV, atomically (temporary file renamed into place).

    Samples outside [-1, 1] are clipped.

    Raises:
        AudioError: bad waveform or sample rate, or the file cannot be written there.
    """
    path = Path(path)
    audio = np.asarray(audio, dtype=np.float32)
    validate_audio(audio, name=str(path))
    if sample_rate <= 0:
        raise AudioError(f"{path}: sample rate must be a positive number of Hz, got {sample_rate}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_file(path, suffix=".wav")
    except OSError as exc:
        raise AudioError(f"{path}: cannot write here ({exc.strerror}); choose a writable directory") from None
    try:
        sf.write(tmp, np.clip(audio, -1.0, 1.0).T, sample_rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
    except (OSError, sf.LibsndfileError) as exc:
        raise AudioError(f"{path}: writing failed ({exc}); check the disk space and permissions") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
