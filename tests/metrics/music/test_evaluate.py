import numpy as np
import pytest
import soundfile as sf
import torch

from mumo.errors import AudioError, DataError
from mumo.metrics.music.evaluate import clip_stem, evaluate_music, standard_embedders
from mumo.metrics.music.melstat import MelStatEmbedder
from mumo.metrics.music.panns import Cnn14, Cnn14Embedder

RATE = 16_000
PUBLISHED = ("frechet_distance", "frechet_audio_distance", "kl_softmax", "kl_sigmoid")


@pytest.fixture(scope="module")
def sets(tone):
    reference = {f"c{i}": tone(220.0 * (1 + i % 3), seed=i) for i in range(6)}
    same = {k: v.copy() for k, v in reference.items()}
    other = {k: tone(1500.0 + 300 * i, seed=10 + i) for i, k in enumerate(reference)}
    return reference, same, other


def test_stand_in_names_and_unavailable_published_metrics(tmp_path, sets):
    reference, same, other = sets
    embedders = standard_embedders(tmp_path / "weights")
    close = evaluate_music(same, reference, embedders, sample_rate=RATE)
    far = evaluate_music(other, reference, embedders, sample_rate=RATE)
    assert close["fd_melstat"] == pytest.approx(0.0, abs=1e-3)
    assert far["fd_melstat"] > 1.0
    assert far["kl_melstat"] > 0.01
    assert close["kl_melstat"] == pytest.approx(0.0, abs=1e-3)
    assert isinstance(far["fd_melstat"], float)
    for name in PUBLISHED:
        assert far[name] is None
        assert str(tmp_path / "weights") in far["unavailable"][name]
    assert "Cnn14_16k_mAP=0.438.pth" in far["unavailable"]["frechet_distance"]
    assert far["num_paired"] == 6
    assert [e["name"] for e in far["embedders"]] == ["melstat", "panns_cnn14_16k", "vggish"]


def test_kl_needs_paired_names(sets):
    reference, _, _ = sets
    generated = {"x": reference["c0"], "y": reference["c1"]}
    unpaired = evaluate_music(generated, reference, [MelStatEmbedder()], RATE)
    assert unpaired["kl_melstat"] is None
    assert "0 of 6" in unpaired["unavailable"]["kl_melstat"]
    assert unpaired["fd_melstat"] is not None


def test_folders_pair_across_extensions_and_rates(tmp_path, sets):
    reference, _, other = sets
    (tmp_path / "gen").mkdir()
    (tmp_path / "ref").mkdir()
    for name, wave in reference.items():
        sf.write(tmp_path / "ref" / f"{name}.wav", wave[0], RATE)
    for name, wave in other.items():
        sf.write(tmp_path / "gen" / f"{name}.flac", np.repeat(wave[0], 2), 2 * RATE)  # 32 kHz
    from_dirs = evaluate_music(tmp_path / "gen", tmp_path / "ref", [MelStatEmbedder()])
    from_arrays = evaluate_music(other, reference, [MelStatEmbedder()], RATE)
    assert from_dirs["num_paired"] == 6
    assert from_dirs["kl_melstat"] == pytest.approx(from_arrays["kl_melstat"], rel=0.05)
    assert clip_stem("a.mp3") == clip_stem("a.wav") == "a"


def test_batched_embedding_equals_one_batch(sets, monkeypatch):
    from mumo.metrics.music import evaluate as evaluate_module

    reference, _, other = sets
    whole = evaluate_music(other, reference, [MelStatEmbedder()], RATE)
    monkeypatch.setattr(evaluate_module, "EMBED_BATCH", 4)
    batched = evaluate_music(other, reference, [MelStatEmbedder()], RATE)
    assert batched == whole


def test_bad_inputs(tmp_path, sets):
    reference, _, _ = sets
    with pytest.raises(AudioError, match="sample_rate"):
        evaluate_music(reference, reference, [MelStatEmbedder()])
    with pytest.raises(DataError, match="not found"):
        evaluate_music(tmp_path / "nowhere", reference, [MelStatEmbedder()], RATE)
    twice = {"a.wav": reference["c0"], "a.mp3": reference["c1"]}
    with pytest.raises(DataError, match="share a name"):
        evaluate_music(twice, reference, [MelStatEmbedder()], RATE)


def test_given_cnn14_weights_compute_published_names(tmp_path, tone):
    torch.manual_seed(0)
    torch.save({"model": Cnn14().state_dict()}, tmp_path / "cnn14.pth")
    reference = {f"c{i}": tone(200.0 * (i + 1), 1.0, seed=i) for i in range(3)}
    result = evaluate_music(reference, reference, [Cnn14Embedder(tmp_path / "cnn14.pth")], RATE)
    assert result["frechet_distance"] == pytest.approx(0.0, abs=1e-4)
    assert result["kl_softmax"] == pytest.approx(0.0, abs=1e-2)  # only the 1e-6 guard differs
    assert result["kl_sigmoid"] == pytest.approx(0.0, abs=1e-2)
    assert result["unavailable"] == {}
    assert len(result["embedders"][0]["weights_sha256"]) == 64
