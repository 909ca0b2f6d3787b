from dataclasses import replace

import pytest
import torch

from mumo.errors import ConfigError, MotionError
from mumo.motion import compute_feature_stats, joints_to_features
from mumo.motion.features import POSITION_CHANNELS
from mumo.tokenizers.kinematic_losses import foot_slide_loss, joint_path_loss, rebuild_joints
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


def test_the_joint_terms_read_denormalised_features_and_join_the_loss(clips):
    stats = compute_feature_stats(joints_to_features(clip) for clip in clips)
    config = replace(TINY_MOTION, foot_slide_weight=2.0, joint_path_weight=3.0)
    with pytest.raises(ConfigError, match="statistics"):
        MotionVQVAE(config)
    model = MotionVQVAE(config, stats=stats).eval()  # eval: the codebooks stay as they are
    features = torch.from_numpy(stats.normalize(joints_to_features(clips[1]))[None])
    out = model(features)
    target = torch.from_numpy(stats.denormalize(features.numpy()))
    joints = rebuild_joints(torch.from_numpy(stats.denormalize(out.reconstruction.detach().numpy())))
    slide, path = foot_slide_loss(joints, target, 60.0), joint_path_loss(joints, rebuild_joints(target))
    torch.testing.assert_close(out.foot_slide_loss.detach(), slide, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(out.joint_path_loss.detach(), path, rtol=1e-4, atol=1e-6)
    unweighted = MotionVQVAE(TINY_MOTION).eval()
    unweighted.load_state_dict(model.state_dict())  # the statistics are not among the saved tensors
    plain = unweighted(features)
    assert plain.foot_slide_loss == 0
    assert plain.joint_path_loss == 0
    torch.testing.assert_close(out.loss, plain.loss + 2.0 * out.foot_slide_loss + 3.0 * out.joint_path_loss)


def test_decoder_code_noise_changes_the_decoder_input_in_training_only():
    torch.manual_seed(0)
    noisy_model = MotionVQVAE(replace(TINY_MOTION, decoder_code_noise=0.5))
    model = MotionVQVAE(TINY_MOTION)
    model.load_state_dict(noisy_model.state_dict())
    features = torch.randn(2, 48, 263)
    outputs = []
    for each in (model, noisy_model):  # training mode: the same codebook updates from the same seed
        torch.manual_seed(1)
        outputs.append(each(features))
    clean, noisy = outputs
    assert torch.equal(noisy.codes, clean.codes)  # the encoder's codes are the same
    assert not torch.allclose(noisy.reconstruction, clean.reconstruction)
    evaluated = noisy_model.eval()(features)  # no noise outside training
    torch.testing.assert_close(evaluated.reconstruction, noisy_model.decode(evaluated.codes, 48))


@pytest.mark.parametrize(
    "values", [{"foot_slide_weight": -1.0}, {"joint_path_weight": -0.5}, {"decoder_code_noise": 1.0}]
)
def test_negative_joint_weights_or_certain_code_noise_are_refused(values):
    with pytest.raises(ConfigError):
        replace(TINY_MOTION, **values)
