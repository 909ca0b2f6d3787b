from dataclasses import replace

import pytest
import torch

from mumo.lm import DEBUG_CONFIG, MusicMotionLM, StreamLogits
from mumo.lm.tasks import Layout
from mumo.train.music_gap import music_gap

K, CARD, T = DEBUG_CONFIG.num_codebooks, DEBUG_CONFIG.cardinality, 12


class MusicReader(MusicMotionLM):
    """Predicts each motion code as the music code of the same frame (logit 5 on it, 0 elsewhere)."""

    def forward(self, task, conditions, music_codes=None, motion_codes=None):
        logits = torch.nn.functional.one_hot(music_codes, CARD).float() * 5.0
        return StreamLogits(music=None, motion=logits)


def test_the_gap_is_shuffled_minus_own_cross_entropy():
    torch.manual_seed(0)
    music = torch.randint(0, CARD, (5, K, T))
    gap = music_gap(MusicReader(DEBUG_CONFIG), music, music, ["dance"] * 5, batch_size=2)
    own = torch.nn.functional.cross_entropy(torch.tensor([[5.0] + [0.0] * (CARD - 1)]), torch.tensor([0]))
    assert gap.own == pytest.approx(float(own), rel=1e-6)
    assert gap.accuracy == (1.0,) * K
    assert gap.shuffled > gap.own + 2.0  # another clip's codes are almost never the same
    metrics = gap.as_metrics()
    assert metrics["music_gap"] == pytest.approx(gap.shuffled - gap.own)
    assert set(metrics) == {"music_gap", "motion_ce_own_music", *(f"motion_accuracy_cb{k}" for k in range(K))}


def test_a_model_that_ignores_the_music_has_no_gap_and_stays_in_training_mode():
    torch.manual_seed(0)
    model = MusicMotionLM(replace(DEBUG_CONFIG, layout=Layout.GIVEN_FULL))
    music, motion = torch.randint(0, CARD, (2, 4, K, T))
    gap = music_gap(model, music, motion, ["dance"] * 4)
    assert abs(gap.gap) < 0.05  # untrained: reads the music barely at all
    assert model.training


def test_the_gap_needs_two_clips():
    codes = torch.zeros(1, K, T, dtype=torch.long)
    with pytest.raises(ValueError, match="at least 2 clips"):
        music_gap(MusicReader(DEBUG_CONFIG), codes, codes, ["x"])
