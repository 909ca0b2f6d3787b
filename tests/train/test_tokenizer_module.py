import itertools

import pytest
import torch

from mumo.tokenizers.motion_vqvae import MotionVQVAE
from mumo.train.tokenizer_module import TokenizerModule, cosine_factor

from ..tokenizers.helpers import TINY_MOTION


def test_cosine_factor_warms_up_then_decays_to_the_final_factor():
    factors = [cosine_factor(step, 4, 20, 0.1) for step in range(25)]
    assert factors[:4] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert factors[4] == pytest.approx(1.0)
    assert all(a >= b for a, b in itertools.pairwise(factors[3:]))
    assert factors[20] == pytest.approx(0.1)
    assert factors[24] == pytest.approx(0.1)


def test_constant_learning_rate_by_default():
    assert {cosine_factor(step, 0, 10, 1.0) for step in range(15)} == {1.0}


def test_training_step_updates_the_codebooks_in_the_quantizer_forward():
    module = TokenizerModule(MotionVQVAE(TINY_MOTION), learning_rate=1e-3, seed=0)
    module.train()
    before = module.model.quantizer.codebooks.clone()
    loss = module.training_step(torch.randn(2, 12, TINY_MOTION.input_dim), 0)
    assert loss.dim() == 0
    assert torch.isfinite(loss)
    assert bool(module.model.quantizer.initialized)
    assert not torch.equal(module.model.quantizer.codebooks, before)
