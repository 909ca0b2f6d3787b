"""Procedural music: drums, bass line and a chord pad on a beat grid, 32 kHz mono."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mumo.data.clips import MUSIC_SAMPLE_RATE
from mumo.data.synthetic.styles import STEPS_PER_BEAT, Style

SAMPLE_RATE = MUSIC_SAMPLE_RATE
"""Hz, the dataset rate."""
CHORD_PROGRESSION = (0, 5, 3, 4)
"""Scale degrees (major scale) of the chord root in successive bars."""
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11, 12)


@dataclass(frozen=True)
class Track:
    """A synthesized track.

    Attributes:
        audio: ``[1, N]`` float32 waveform at :data:`SAMPLE_RATE` Hz, peak 0.9.
        beat_times_s: ``[num_beats]`` times of every beat, seconds.
        downbeat_times_s: times of the first beat of each bar, seconds.
        tempo_bpm: beats per minute.
        first_beat_s: time of the first beat, seconds.
    """

    audio: np.ndarray
    beat_times_s: np.ndarray
    downbeat_times_s: np.ndarray
    tempo_bpm: float
    first_beat_s: float


def _decay(num_samples: int, time_constant: float) -> np.ndarray:
    """Exponential envelope ``[num_samples]`` with ``time_constant`` seconds."""
    return np.exp(-np.arange(num_samples) / (time_constant * SAMPLE_RATE))


def _kick(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.25 * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = 45.0 + 110.0 * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    click = rng.standard_normal(t.size) * _decay(t.size, 0.002)
    return (np.sin(phase) + 0.5 * click) * _decay(t.size, 0.07) * rng.uniform(0.9, 1.0)


def _snare(rng: np.random.Generator) -> np.ndarray:
    env = _decay(int(0.18 * SAMPLE_RATE), 0.045)
    noise = rng.standard_normal(env.size)
    tone = np.sin(2 * np.pi * 190.0 * np.arange(env.size) / SAMPLE_RATE)
    return (0.6 * noise + 0.5 * tone) * env * 0.7


def _hat(rng: np.random.Generator) -> np.ndarray:
    noise = np.diff(rng.standard_normal(int(0.05 * SAMPLE_RATE) + 1))  # first difference ≈ high-pass
    return noise * _decay(noise.size, 0.012) * 0.08


HARMONICS = {
    "sine": {1: 1.0},
    "saw": {h: 1.0 / h for h in range(1, 9)},
    "square": {h: 1.0 / h for h in range(1, 10, 2)},
    "organ": {1: 1.0, 2: 0.5, 3: 0.35, 4: 0.2},
}
"""Amplitude of each harmonic (multiple of the fundamental) per timbre."""


def _tone(freq: float, seconds: float, timbre: str) -> np.ndarray:
    """``seconds`` of a ``freq``-Hz tone of ``timbre`` (:data:`HARMONICS`), peak amplitude at most 1.

    Harmonic ``h`` comes from the two before it, ``sin(hx) = 2 cos(x) sin((h-1)x) - sin((h-2)x)``: one sine
    and one cosine per sample instead of one sine per harmonic."""
    amplitudes = HARMONICS[timbre]
    phase = 2 * np.pi * freq * np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    below, harmonic = np.zeros_like(phase), np.sin(phase)
    wave = amplitudes[1] * harmonic
    twice_cos = 2 * np.cos(phase)
    for h in range(2, max(amplitudes) + 1):
        below, harmonic = harmonic, twice_cos * harmonic - below
        if h in amplitudes:
            wave += amplitudes[h] * harmonic
    return wave / sum(amplitudes.values())


def _place(out: np.ndarray, sound: np.ndarray, start: int) -> None:
    if start >= out.size:
        return
    end = min(out.size, start + sound.size)
    out[start:end] += sound[: end - start]


def _hits(pattern: str) -> list[tuple[int, float]]:
    """(step, gain) of each hit of a drum pattern: ``X`` accented (1.0), ``x`` soft (0.4)."""
    return [(i, 1.0 if ch == "X" else 0.4) for i, ch in enumerate(pattern) if ch != "."]


def synthesize_track(style: Style, tempo_bpm: float, duration_s: float, rng: np.random.Generator) -> Track:
    """Render ``duration_s`` seconds of ``style`` at ``tempo_bpm``; randomness (key, timing jitter, sounds)
    comes from ``rng`` only."""
    num_samples = round(duration_s * SAMPLE_RATE)
    beat_s = 60.0 / tempo_bpm
    step_s = beat_s / STEPS_PER_BEAT
    first_beat_s = float(rng.uniform(0.1, 0.35))
    bar_steps = style.beats_per_bar * STEPS_PER_BEAT
    num_bars = int(np.ceil((duration_s - first_beat_s) / (beat_s * style.beats_per_bar))) + 1
    key_hz = 55.0 * 2 ** (int(rng.integers(0, 12)) / 12)  # bass register, A1 .. G#2

    drums = np.zeros(num_samples)
    bass = np.zeros(num_samples)
    pad = np.zeros(num_samples)
    kick, snare, hat = _kick(rng), _snare(rng), _hat(rng)
    for bar in range(num_bars):
        bar_start_s = first_beat_s + bar * bar_steps * step_s
        root = MAJOR_SCALE[CHORD_PROGRESSION[bar % len(CHORD_PROGRESSION)]]
        for sound, pattern in ((kick, style.kick), (snare, style.snare), (hat, style.hat)):
            for step, gain in _hits(pattern):
                jitter = rng.normal(0.0, 0.002) if sound is not kick else 0.0
                _place(drums, gain * sound, int((bar_start_s + step * step_s + jitter) * SAMPLE_RATE))
        for step in (i for i, ch in enumerate(style.bass) if ch != "."):
            degree = MAJOR_SCALE[int(style.bass[step]) % len(MAJOR_SCALE)]
            freq = key_hz * 2 ** ((root + degree) / 12)
            note = _tone(freq, 1.5 * step_s * 2, "square" if style.pad_timbre != "sine" else "sine")
            _place(
                bass,
                note * _decay(note.size, 0.12),
                int((bar_start_s + step * step_s) * SAMPLE_RATE),
            )
        chord = sum(
            _tone(key_hz * 4 * 2 ** ((root + d) / 12), bar_steps * step_s, style.pad_timbre)
            for d in (0, 4, 7)
        )
        envelope = np.minimum(1.0, np.linspace(0.0, 8.0, chord.size)) * _decay(chord.size, 1.2)
        _place(pad, chord * envelope / 3.0, int(bar_start_s * SAMPLE_RATE))

    mix = 1.0 * drums + 0.45 * bass + 0.12 * pad
    mix = 0.9 * mix / max(float(np.max(np.abs(mix))), 1e-9)
    beats = first_beat_s + beat_s * np.arange(int((duration_s - first_beat_s) / beat_s) + 1)
    beats = beats[beats < duration_s]
    downbeats = beats[:: style.beats_per_bar]
    return Track(mix.astype(np.float32)[None], beats, downbeats, float(tempo_bpm), first_beat_s)
