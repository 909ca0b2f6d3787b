import pytest
import torch

from mumo.errors import AudioError
from mumo.tokenizers.audio_codec import AudioCodec, multi_resolution_stft_loss

from .helpers import TINY_CODEC


@pytest.mark.parametrize(("samples", "frames"), [(3200, 5), (1000, 2), (640, 1)])
def test_hop_640_gives_50_hz_codes_and_exact_lengths(samples, frames):
    torch.manual_seed(0)
    codec = AudioCodec(TINY_CODEC).eval()
    assert TINY_CODEC.hop_length == 640
    waveform = torch.randn(2, 1, samples) * 0.1
    codes = codec.encode(waveform)
    assert codes.shape == (2, 2, frames)
    assert codes.dtype == torch.int64
    assert codec.decode(codes).shape == (2, 1, frames * 640)
    assert codec.decode(codes, samples).shape == (2, 1, samples)
    out = codec(waveform)
    assert out.reconstruction.shape == waveform.shape
    assert torch.equal(out.codes, codes)


def test_loss_combines_terms_and_decreases():
    torch.manual_seed(0)
    codec = AudioCodec(TINY_CODEC)
    time = torch.arange(1280) / 32_000
    waveform = (0.5 * torch.sin(2 * torch.pi * 220 * time))[None, None]
    optimizer = torch.optim.Adam(codec.parameters(), lr=3e-3)
    losses = []
    for _ in range(5):
        out = codec(waveform)
        expected = out.waveform_loss + out.stft_loss + 0.1 * out.quantizer.commitment_loss
        torch.testing.assert_close(out.loss, expected)
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
        losses.append(float(out.loss.detach()))
    assert losses[-1] < losses[0]


def test_stft_loss_is_zero_for_identical_and_positive_for_different_signals():
    x = torch.randn(1, 1, 2048)
    assert float(multi_resolution_stft_loss(x, x, (64, 256))) == pytest.approx(0.0, abs=1e-6)
    assert float(multi_resolution_stft_loss(x, 0.5 * x, (64, 256))) > 0.1


def test_wrong_waveform_shape_raises_audio_error():
    with pytest.raises(AudioError):
        AudioCodec(TINY_CODEC).encode(torch.zeros(1, 2, 640))
