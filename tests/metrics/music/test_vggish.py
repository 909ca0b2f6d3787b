import numpy as np
import pytest
import torch

from mumo.errors import CheckpointError
from mumo.metrics.music.embedder import AudioEmbedder
from mumo.metrics.music.vggish import VGGish, VGGishEmbedder, load_vggish, log_mel_examples, mel_matrix


def test_mel_matrix_is_vggish_shaped():
    weights = mel_matrix()
    assert weights.shape == (257, 64)
    assert np.all(weights[0] == 0)
    assert weights.max() <= 1.0
    peaks = weights.argmax(axis=0)
    assert np.all(np.diff(peaks) >= 0)
    # band edges are linear on the HTK mel scale between 125 and 7500 Hz
    assert weights[:4].sum() == 0  # bins below 125 Hz (62.5 Hz apart) carry no weight except bin 2's ramp
    assert weights[-8:].sum() == 0  # above 7500 Hz


def test_examples_of_a_tone_peak_in_its_band(tone):
    examples = log_mel_examples(tone(1000.0)[0])
    assert examples.shape == (2, 1, 96, 64)  # 2 s → 198 frames → 2 examples of 0.96 s
    edges_mel = np.linspace(1127 * np.log1p(125 / 700), 1127 * np.log1p(7500 / 700), 66)
    centres_hz = 700 * (np.exp(edges_mel / 1127) - 1)
    expected_band = int(np.argmin(np.abs(centres_hz[1:-1] - 1000.0)))
    assert abs(int(examples[0, 0].mean(axis=0).argmax()) - expected_band) <= 1


def test_weights_load_strictly_and_unavailable_names_path(tmp_path, tone):
    missing = VGGishEmbedder(tmp_path / "vggish-10086976.pth")
    assert isinstance(missing, AudioEmbedder)
    assert str(tmp_path / "vggish-10086976.pth") in missing.unavailable_reason()
    with pytest.raises(CheckpointError, match="not found"):
        load_vggish(tmp_path / "missing.pth")
    state = VGGish().state_dict()
    torch.save(state, tmp_path / "vggish.pth")
    embedder = VGGishEmbedder(tmp_path / "vggish.pth")
    assert embedder.unavailable_reason() is None
    out = embedder.embed([tone(300.0), tone(500.0, 1.0)])
    assert out.embeddings.shape == (2 + 2, 128)  # all examples pooled; the 1-s clip is padded to 2 s
    assert out.logits is None
    assert len(embedder.describe()["weights_sha256"]) == 64
    renamed = {k.replace("embeddings.4", "embeddings.9"): v for k, v in state.items()}
    torch.save(renamed, tmp_path / "renamed.pth")
    with pytest.raises(CheckpointError, match=r"missing \['embeddings.4.bias'"):
        load_vggish(tmp_path / "renamed.pth")
