from dataclasses import replace

import pytest
import torch

from mumo.errors import ConfigError, MotionError
from mumo.motion.features import POSITION_CHANNELS
from mumo.tokenizers.motion_vqvae import MotionVQVAE, round_half_up

from .helpers import TINY_MOTION


@pytest.mark.parametrize("frames", [2, 3, 7, 60, 121])
def test_token_count_and_exact_decoded_length(frames):
    torch.manual_seed(0)
    model = MotionVQVAE(TINY_MOTION).eval()
    features = torch.randn(2, frames, 263)
    codes = model.encode(features)
    assert codes.shape == (2, 2, round_half_up(frames * 50 / 60))
    assert codes.dtype == torch.int64
    assert model.decode(codes, frames).shape == (2, frames, 263)
    assert model.decode(codes).shape == (2, round_half_up(codes.shape[-1] * 60 / 50), 263)
    out = model(features)
    assert out.reconstruction.shape == features.shape
    assert torch.equal(out.codes, codes)


def test_loss_combines_terms_and_trains():
    torch.manual_seed(0)
    model = MotionVQVAE(replace(TINY_MOTION, acceleration_weight=2.0, jerk_weight=3.0))
    features = torch.randn(1, 24, 263).cumsum(1) * 0.1
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(8):
        out = model(features)
        expected = (
            out.feature_loss
            + out.velocity_loss
            + 2.0 * out.acceleration_loss
            + 3.0 * out.jerk_loss
            + 0.02 * out.quantizer.commitment_loss
        )
        second = (out.reconstruction.diff(n=2, dim=1) - features.diff(n=2, dim=1)).pow(2).mean()
        third = (out.reconstruction.diff(n=3, dim=1) - features.diff(n=3, dim=1)).pow(2).mean()
        torch.testing.assert_close(out.acceleration_loss, second)
        torch.testing.assert_close(out.jerk_loss, third)
        torch.testing.assert_close(out.loss, expected)
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
        losses.append(float(out.feature_loss.detach()))
    assert losses[-1] < losses[0]


def test_wrong_feature_shape_raises_motion_error():
    model = MotionVQVAE(TINY_MOTION)
    with pytest.raises(MotionError):
        model.encode(torch.zeros(1, 10, 100))
    with pytest.raises(MotionError):
        model(torch.zeros(1, 1, 263))


def test_difference_terms_of_clips_too_short_for_them_are_zero():
    model = MotionVQVAE(replace(TINY_MOTION, acceleration_weight=1.0, jerk_weight=1.0))
    short = model(torch.randn(1, 3, 263))
    assert short.acceleration_loss > 0
    assert short.jerk_loss == 0
    assert model(torch.randn(1, 2, 263)).acceleration_loss == 0


def test_the_jerk_term_can_read_the_position_channels_alone():
    torch.manual_seed(0)
    features = torch.randn(1, 24, 263).cumsum(1) * 0.1
    model = MotionVQVAE(replace(TINY_MOTION, jerk_weight=1.0, jerk_channels="positions"))
    out = model(features)
    reconstructed, target = out.reconstruction[..., POSITION_CHANNELS], features[..., POSITION_CHANNELS]
    assert reconstructed.shape[-1] == 67  # root (4) and 21 joint positions (63)
    torch.testing.assert_close(
        out.jerk_loss, (reconstructed.diff(n=3, dim=1) - target.diff(n=3, dim=1)).pow(2).mean()
    )
    with pytest.raises(ConfigError, match="jerk_channels must be 'all' or 'positions'"):
        replace(TINY_MOTION, jerk_channels="joints")
