import numpy as np
import pytest
import torch

from mumo.tokenizers.long_audio import decode_in_windows, encode_in_windows

from ..pipeline.conftest import synthetic_song, tiny_components


@pytest.fixture(scope="module")
def codec():
    return tiny_components().music_tokenizer.eval()


def test_windows_give_the_codes_of_one_pass(codec):
    waveform = torch.from_numpy(synthetic_song(2.5))[None]  # [1, 1, N]
    seen = []
    windowed = encode_in_windows(
        codec, waveform, window_s=0.5, margin_s=0.3, on_window=lambda *a: seen.append(a)
    )
    whole = codec.encode(waveform)
    assert seen == [(i, 5) for i in range(1, 6)]
    assert windowed.shape == whole.shape
    assert (windowed == whole).float().mean() > 0.99  # equal but for quantiser ties at float rounding


def test_decoding_in_windows_matches_one_pass(codec):
    codes = codec.encode(torch.from_numpy(synthetic_song(2.0))[None])
    whole = codec.decode(codes)
    windowed = decode_in_windows(codec, codes, window_s=0.5, margin_s=0.3)
    assert windowed.shape == whole.shape
    np.testing.assert_allclose(windowed.numpy(), whole.numpy(), atol=1e-4)
