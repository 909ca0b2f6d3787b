import pytest
import torch
from transformers import EncodecConfig, EncodecModel

from mumo.errors import AudioError, CheckpointError, ConfigError
from mumo.tokenizers import EncodecTokenizer, MusicTokenizer, Tokenizer, load_tokenizer

from .helpers import TINY_CODEC


def test_music_tokenizer_protocol_and_stereo_downmix():
    torch.manual_seed(0)
    tokenizer = MusicTokenizer.create(TINY_CODEC).eval()
    assert isinstance(tokenizer, Tokenizer)
    assert tokenizer.sample_rate == 32_000
    assert tokenizer.frame_rate == 50.0
    assert tokenizer.num_codebooks == 2
    assert tokenizer.cardinality == 16
    stereo = torch.randn(1, 2, 6400) * 0.1
    codes = tokenizer.encode(stereo)
    assert codes.shape == (1, 2, 10)
    assert torch.equal(codes, tokenizer.encode(stereo.mean(1, keepdim=True)))
    assert tokenizer.codebooks().shape == (2, 16, 8)
    with pytest.raises(AudioError):
        tokenizer.encode(torch.zeros(6400))


def test_music_tokenizer_save_load_round_trip(tmp_path):
    torch.manual_seed(0)
    tokenizer = MusicTokenizer.create(TINY_CODEC).eval()
    tokenizer.save(tmp_path / "music")
    loaded = load_tokenizer(tmp_path / "music")
    assert isinstance(loaded, MusicTokenizer)
    waveform = torch.randn(1, 1, 3200) * 0.1
    codes = loaded.encode(waveform)
    assert torch.equal(codes, tokenizer.encode(waveform))
    torch.testing.assert_close(loaded.decode(codes), tokenizer.decode(codes), rtol=0, atol=0)


def _tiny_encodec() -> EncodecModel:
    torch.manual_seed(0)
    config = EncodecConfig(
        target_bandwidths=[2.0, 4.0],
        sampling_rate=8000,
        audio_channels=1,
        num_filters=4,
        hidden_size=8,
        codebook_dim=8,
        codebook_size=16,
        upsampling_ratios=[4, 4],
        num_residual_layers=1,
        num_lstm_layers=1,
    )
    return EncodecModel(config).eval()


def test_encodec_tokenizer_saved_and_reloaded_from_a_local_directory(tmp_path):
    tokenizer = EncodecTokenizer(_tiny_encodec())
    tokenizer.save(tmp_path / "encodec")
    loaded = load_tokenizer(tmp_path / "encodec")
    assert isinstance(loaded, EncodecTokenizer)
    assert isinstance(loaded, Tokenizer)
    assert loaded.sample_rate == 8000
    assert loaded.frame_rate == 500.0
    assert loaded.cardinality == 16
    assert loaded.num_codebooks == 2  # 4 kbps at 4 bits x 500 Hz per codebook
    waveform = torch.randn(2, 1, 800) * 0.1
    codes = loaded.encode(waveform)
    assert codes.shape == (2, 2, 50)
    assert codes.dtype == torch.int64
    assert torch.equal(codes, tokenizer.encode(waveform))
    assert loaded.decode(codes).shape == (2, 1, 800)
    assert loaded.codebooks().shape == (2, 16, 8)


def test_encodec_bandwidth_is_checked_and_kept(tmp_path):
    with pytest.raises(ConfigError, match="bandwidth"):
        EncodecTokenizer(_tiny_encodec(), bandwidth=3.0)
    EncodecTokenizer(_tiny_encodec(), bandwidth=2.0).save(tmp_path / "e")
    assert load_tokenizer(tmp_path / "e").num_codebooks == 1


def test_missing_encodec_directory_names_the_expected_files(tmp_path):
    with pytest.raises(CheckpointError, match=r"config\.json, model\.safetensors"):
        EncodecTokenizer.load(tmp_path / "absent")
