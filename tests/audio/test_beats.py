import numpy as np
import pytest

from mumo.audio import beat_f_measure, detect_beats, detect_onsets, onset_envelope


def click_track(bpm: float, seconds: float, rate: int = 22_050) -> tuple[np.ndarray, np.ndarray]:
    wave = np.zeros(int(seconds * rate), dtype=np.float32)
    beats = np.arange(0.5, seconds - 0.2, 60.0 / bpm)
    burst = np.exp(-np.arange(600) / 80.0) * np.sin(np.arange(600) * 0.3)
    for time in beats:
        start = int(time * rate)
        wave[start : start + burst.size] += burst[: wave.size - start]
    return wave, beats


def test_detect_beats_on_click_track():
    wave, beats = click_track(120.0, 8.0)
    found = detect_beats(wave, 22_050)
    assert beat_f_measure(beats, found) >= 0.9


def test_f_measure_cases():
    ref = np.array([1.0, 2.0, 3.0])
    assert beat_f_measure(ref, ref + 0.05) == pytest.approx(1.0)
    assert beat_f_measure(ref, ref + 0.2) == 0.0
    assert beat_f_measure(ref, np.array([1.0])) == pytest.approx(0.5)
    assert beat_f_measure(np.array([]), np.array([])) == 1.0


def test_onset_envelope_and_onsets_follow_the_clicks():
    wave, beats = click_track(100.0, 6.0)
    envelope = onset_envelope(wave[None], 22_050, hop_length=256)
    assert envelope.shape == (1 + wave.size // 256,)
    assert envelope.max() > 10 * np.median(envelope)
    assert beat_f_measure(beats, detect_onsets(wave, 22_050)) >= 0.9
