from dataclasses import replace

import pytest
import torch

from mumo.lm import DEBUG_CONFIG, MusicMotionLM, StreamLogits, Task
from mumo.lm.tasks import Layout
from mumo.train.reading_gap import reading_gap

K, CARD, T = DEBUG_CONFIG.num_codebooks, DEBUG_CONFIG.cardinality, 12


class Copier(MusicMotionLM):
    """Predicts each generated code as the given stream's code of its frame (logit 5 on it, 0 elsewhere)."""

    def forward(self, task, conditions, music_codes=None, motion_codes=None):
        if task is Task.MUSIC2MOTION:
            return StreamLogits(
                music=None, motion=torch.nn.functional.one_hot(music_codes, CARD).float() * 5.0
            )
        return StreamLogits(music=torch.nn.functional.one_hot(motion_codes, CARD).float() * 5.0, motion=None)


@pytest.mark.parametrize(
    ("task", "names"),
    [
        (Task.MUSIC2MOTION, ("music_gap", "motion_ce_own_music", "motion_accuracy_cb")),
        (Task.MOTION2MUSIC, ("dance_gap", "music_ce_own_dance", "music_accuracy_cb")),
    ],
)
def test_the_gap_is_shuffled_minus_own_cross_entropy(task, names):
    torch.manual_seed(0)
    codes = torch.randint(0, CARD, (5, K, T))
    gap = reading_gap(Copier(DEBUG_CONFIG), task, codes, codes, ["text"] * 5, batch_size=2)
    own = torch.nn.functional.cross_entropy(torch.tensor([[5.0] + [0.0] * (CARD - 1)]), torch.tensor([0]))
    assert gap.own == pytest.approx(float(own), rel=1e-6)
    assert gap.accuracy == (1.0,) * K
    assert gap.shuffled > gap.own + 2.0  # another clip's codes are almost never the same
    metrics = gap.as_metrics()
    gap_name, ce_name, accuracy = names
    assert metrics[gap_name] == pytest.approx(gap.shuffled - gap.own)
    assert set(metrics) == {gap_name, ce_name, *(f"{accuracy}{k}" for k in range(K))}


@pytest.mark.parametrize("task", [Task.MUSIC2MOTION, Task.MOTION2MUSIC])
def test_a_model_that_ignores_the_given_stream_has_no_gap_and_stays_in_training_mode(task):
    torch.manual_seed(0)
    model = MusicMotionLM(replace(DEBUG_CONFIG, layout=Layout.GIVEN_FULL))
    music, motion = torch.randint(0, CARD, (2, 4, K, T))
    gap = reading_gap(model, task, music, motion, ["text"] * 4)
    assert abs(gap.gap) < 0.05  # untrained: reads the other stream barely at all
    assert model.training


def test_the_gap_needs_two_clips_and_a_task_that_reads_a_given_stream():
    codes = torch.zeros(1, K, T, dtype=torch.long)
    with pytest.raises(ValueError, match="at least 2 clips"):
        reading_gap(Copier(DEBUG_CONFIG), Task.MUSIC2MOTION, codes, codes, ["x"])
    with pytest.raises(ValueError, match="not joint"):
        reading_gap(Copier(DEBUG_CONFIG), Task.JOINT, codes, codes, ["x"])
