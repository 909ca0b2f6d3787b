"""Audio I/O (soundfile + soxr), validation, and beat/onset detection (librosa)."""

from mumo.audio.beats import beat_f_measure, detect_beats, detect_onsets, onset_envelope
from mumo.audio.io import as_waveform, is_silent, load, resample, save, validate_audio

__all__ = [
    "as_waveform",
    "beat_f_measure",
    "detect_beats",
    "detect_onsets",
    "is_silent",
    "load",
    "onset_envelope",
    "resample",
    "save",
    "validate_audio",
]
