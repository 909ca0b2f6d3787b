import pytest
import torch

from mumo.errors import CheckpointError
from mumo.metrics.music.panns import Cnn14, Cnn14Embedder, load_cnn14


def test_cnn14_shapes_and_published_layer_names(tone):
    model = Cnn14().eval()
    state = model.state_dict()
    assert state["conv_block1.conv1.weight"].shape == (64, 1, 3, 3)
    assert state["conv_block6.conv2.weight"].shape == (2048, 2048, 3, 3)
    assert state["fc1.weight"].shape == (2048, 2048)
    assert state["fc_audioset.weight"].shape == (527, 2048)
    with torch.no_grad():
        embedding, logits = model(torch.from_numpy(tone(300.0, 1.0)))
    assert embedding.shape == (1, 2048)
    assert logits.shape == (1, 527)


def test_checkpoint_front_end_tensors_ignored_and_missing_ones_reported(tmp_path):
    state = Cnn14().state_dict()
    extra = {"spectrogram_extractor.stft.conv_real.weight": torch.zeros(257, 1, 512)}
    torch.save({"model": {**state, **extra}}, tmp_path / "cnn14.pth")
    assert isinstance(load_cnn14(tmp_path / "cnn14.pth"), Cnn14)
    del state["fc1.bias"]
    torch.save({"model": state}, tmp_path / "broken.pth")
    with pytest.raises(CheckpointError, match=r"missing \['fc1.bias'\]"):
        load_cnn14(tmp_path / "broken.pth")


def test_embedder_unavailable_without_weights(tmp_path):
    embedder = Cnn14Embedder(tmp_path / "Cnn14_16k_mAP=0.438.pth")
    reason = embedder.unavailable_reason()
    assert str(tmp_path / "Cnn14_16k_mAP=0.438.pth") in reason
    assert embedder.describe()["weights_sha256"] is None
