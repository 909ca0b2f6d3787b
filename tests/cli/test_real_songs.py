"""Real songs made by other people (``../shared/realdata/audio``) through ``mumo generate`` and the beat
tracker; skipped when the folder is absent."""

import numpy as np
import pytest

from mumo.audio import detect_beats, load
from mumo.cli.main import main
from mumo.pipeline import save_bundle

from ..pipeline.conftest import tiny_components
from ..realdata import realdata

LOOP_BPM = 90.0
"""Tempo of the beatbox loop, in its name and in SOURCES.md."""


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return save_bundle(tiny_components(), tmp_path_factory.mktemp("models") / "bundle")


@pytest.mark.parametrize(
    "name",
    [
        "audio/CJ_Beatbox_Loop_05_90.wav",  # PCM16 stereo, 44.1 kHz
        "audio/bach.mp3",  # stereo, 44.1 kHz
        "audio/Kevin_MacLeod_-_Vibe_Ace.ogg",  # mono, 22.05 kHz, 61 s: only the first seconds are read
    ],
)
def test_real_songs_get_a_dance(bundle, tmp_path, name):
    song = realdata(name)
    out = tmp_path / "out"
    argv = ["generate", "--checkpoint", str(bundle), "--music", str(song), "--duration", "2", "--no-video",
            "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert np.load(out / "dance.npy").shape == (120, 22, 3)


def test_the_beat_tracker_on_the_90_bpm_loop_counts_double_time_on_its_beats():
    """librosa's tracker reports 178.6 BPM on the loop: twice its tempo, with every loop beat after the
    first matched within 40 ms (the other detections fall half way between)."""
    audio = load(realdata("audio/CJ_Beatbox_Loop_05_90.wav"), 32_000)
    beats = detect_beats(audio[0], 32_000)
    tempo = 60.0 / float(np.median(np.diff(beats)))
    assert tempo == pytest.approx(2 * LOOP_BPM, rel=0.02)
    loop_beats = np.arange(1, 16) * 60.0 / LOOP_BPM
    distance = np.abs(beats[None, :] - loop_beats[:, None]).min(axis=1)
    assert distance.max() < 0.045
