import pytest
import torch

from mumo.train.config import StageSection
from mumo.train.module import corrupt_codes


def test_corruption_replaces_about_the_share_asked_for_and_is_seeded():
    codes = torch.zeros(4, 4, 500, dtype=torch.long)
    first = corrupt_codes(codes, 0.3, 256, torch.Generator().manual_seed(1))
    again = corrupt_codes(codes, 0.3, 256, torch.Generator().manual_seed(1))
    assert torch.equal(first, again)
    replaced = (first != 0).float().mean().item()
    assert replaced == pytest.approx(0.3 * 255 / 256, abs=0.02)  # a random code may equal the true one
    assert int(first.max()) < 256
    assert torch.equal(corrupt_codes(codes, 0.0, 256, torch.Generator()), codes)


def test_noise_share_is_checked_at_load():
    with pytest.raises(ValueError, match="motion_input_noise"):
        StageSection(motion_input_noise=1.0)
    with pytest.raises(ValueError, match="music_input_noise"):
        StageSection(music_input_noise=-0.1)
