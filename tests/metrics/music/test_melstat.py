import librosa
import numpy as np
import pytest

from mumo.metrics.frechet import frechet_distance_between
from mumo.metrics.music.divergence import kl_softmax
from mumo.metrics.music.embedder import AudioEmbedder
from mumo.metrics.music.melstat import MelStatEmbedder

RATE = 16_000
FD_SWEEP_CLICKS_VS_CLICKS_NOISE = 3147.3834278339696
KL_SWEEP_VS_NOISE = 0.5824675015147434
SWEEP_BLOCK2_BAND10_MEAN = -13.67548656463623


def golden_signals() -> dict[str, np.ndarray]:
    """Synthetic 3-s signals at 16 kHz: a sine sweep, clicks at 120 BPM, seeded white noise."""
    sweep = librosa.chirp(fmin=110.0, fmax=4000.0, sr=RATE, duration=3.0).astype(np.float32)
    clicks = librosa.clicks(times=np.arange(0.0, 3.0, 0.5), sr=RATE, length=3 * RATE).astype(np.float32)
    noise = (0.1 * np.random.default_rng(0).standard_normal(3 * RATE)).astype(np.float32)
    return {"sweep": sweep, "clicks": clicks, "noise": noise}


def test_shapes_determinism_and_protocol(tone):
    embedder = MelStatEmbedder()
    assert isinstance(embedder, AudioEmbedder)
    assert embedder.unavailable_reason() is None
    clips = [tone(440.0, 3.0), tone(880.0, 0.5)]
    out = embedder.embed(clips)
    assert out.embeddings.shape == (3 + 1, 128)  # 3 blocks + a short clip as one block
    assert out.logits.shape == (2, 64)
    again = MelStatEmbedder().embed(clips)
    np.testing.assert_array_equal(out.embeddings, again.embeddings)
    np.testing.assert_array_equal(out.logits, again.logits)


def test_regression_values_on_synthetic_signals():
    # numbers of melstat-v1 as first computed here; a change means the stand-in metric changed
    signals = golden_signals()
    out = MelStatEmbedder().embed(list(signals.values()))
    assert out.embeddings.shape == (9, 128)
    fd = frechet_distance_between(out.embeddings[:6], out.embeddings[3:])
    kl = kl_softmax(out.logits[[0]], out.logits[[2]])
    assert fd == pytest.approx(FD_SWEEP_CLICKS_VS_CLICKS_NOISE, rel=1e-5)
    assert kl == pytest.approx(KL_SWEEP_VS_NOISE, rel=1e-6)
    assert out.embeddings[2, 10] == pytest.approx(SWEEP_BLOCK2_BAND10_MEAN, rel=1e-6)
