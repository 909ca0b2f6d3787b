import numpy as np
import pytest
import torch

from mumo.errors import CheckpointError
from mumo.metrics.music import MelStatEmbedder, MusicMetricWeights, evaluate_music, kl_sigmoid, kl_softmax
from mumo.metrics.music.panns import Cnn14, load_cnn14
from mumo.metrics.music.vggish import VGGish, load_vggish, log_mel_examples

RATE = 16_000


def tone(freq: float, seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    noise = np.random.default_rng(seed).normal(0, 0.01, t.size)
    return (0.4 * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)[None]


def test_kl_closed_forms():
    logits = np.array([[0.1, 2.0, -1.0], [1.0, 0.0, 0.5]])
    assert kl_softmax(logits, logits) == pytest.approx(0.0, abs=1e-5)
    assert kl_sigmoid(logits, logits) == pytest.approx(0.0, abs=1e-5)
    p = np.exp(logits[0]) / np.exp(logits[0]).sum()
    q = np.array([1 / 3, 1 / 3, 1 / 3])
    expected = float(np.sum(p * (np.log(p) - np.log(q + 1e-6))))
    assert kl_softmax(logits[:1], np.zeros((1, 3))) == pytest.approx(expected, rel=1e-9)


def test_melstat_embeddings_are_deterministic_and_shaped():
    embedder = MelStatEmbedder()
    clip = tone(440.0, 3.0)
    blocks = embedder.embed(clip, RATE)
    assert blocks.shape == (3, 128)
    np.testing.assert_array_equal(blocks, MelStatEmbedder().embed(clip, RATE))
    assert embedder.logits(clip, RATE).shape == (64,)


def test_evaluate_music_names_stand_ins_and_reports_unavailable(tmp_path):
    reference = {f"c{i}": tone(220.0 * (1 + i % 3), seed=i) for i in range(6)}
    same = {k: v.copy() for k, v in reference.items()}
    other = {k: tone(1500.0 + 300 * i, seed=10 + i) for i, k in enumerate(reference)}
    close = evaluate_music(same, reference, RATE)
    far = evaluate_music(other, reference, RATE)
    assert close["fd_melstat"] == pytest.approx(0.0, abs=1e-3)
    assert far["fd_melstat"] > 1.0
    assert far["kl_melstat"] > close["kl_melstat"]
    for name in ("frechet_distance", "frechet_audio_distance", "kl_softmax", "kl_sigmoid"):
        assert far[name] is None
        assert name in far["unavailable"]
    assert "Cnn14_16k" in far["unavailable"]["frechet_distance"]
    unpaired = evaluate_music({"x": reference["c0"]}, reference, RATE)
    assert unpaired["kl_melstat"] is None


def test_real_embedders_load_strictly(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_cnn14(tmp_path / "missing.pth")
    state = VGGish().state_dict()
    torch.save(state, tmp_path / "vggish.pth")
    model = load_vggish(tmp_path / "vggish.pth")
    examples = log_mel_examples(tone(300.0)[0])
    assert examples.shape == (2, 1, 96, 64)
    assert model(torch.from_numpy(examples)).shape == (2, 128)
    renamed = {k.replace("embeddings.4", "embeddings.9"): v for k, v in state.items()}
    torch.save(renamed, tmp_path / "renamed.pth")
    with pytest.raises(CheckpointError, match=r"missing \['embeddings.4.bias'"):
        load_vggish(tmp_path / "renamed.pth")


def test_cnn14_with_given_weights_computes_published_names(tmp_path):
    torch.manual_seed(0)
    torch.save({"model": Cnn14().state_dict()}, tmp_path / "cnn14.pth")
    reference = {f"c{i}": tone(200.0 * (i + 1), 1.0, seed=i) for i in range(3)}
    result = evaluate_music(
        reference, reference, RATE, MusicMetricWeights(panns_cnn14=tmp_path / "cnn14.pth")
    )
    assert result["frechet_distance"] == pytest.approx(0.0, abs=1e-4)
    assert result["kl_softmax"] == pytest.approx(0.0, abs=1e-2)  # only the 1e-6 guard differs
    assert "frechet_distance" not in result["unavailable"]
