"""The shipped recipes (``mumo demo --config ...``) fit together: each config loads, and stage 2 starts from a
checkpoint of stage 1's architecture (a stage-2 config that inherits a changed model setting from the demo's
would otherwise fail only after stage 1 has trained)."""

from pathlib import Path

import pytest

from mumo.cli.demo import DemoConfig
from mumo.config import load_config
from mumo.train.config import TrainConfig
from mumo.train.module import JointLMModule
from mumo.train.tokenizer_recipes import MotionTokenizerTraining, MusicTokenizerTraining

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ["configs/demo/base.yaml", "configs/demo/tiny.yaml", "configs/quality/demo.yaml"]


def _weight_shapes(config: TrainConfig) -> dict[str, tuple[int, ...]]:
    return {name: tuple(t.shape) for name, t in JointLMModule(config).model.state_dict().items()}


@pytest.mark.parametrize("recipe", RECIPES)
def test_stage_two_has_the_weights_of_stage_one(recipe, monkeypatch):
    monkeypatch.chdir(ROOT)  # recipes name their configs relative to the repository
    training = load_config(recipe, DemoConfig).training
    stage1 = load_config(training.stage1, TrainConfig)
    stage2 = load_config(training.stage2, TrainConfig)
    assert _weight_shapes(stage2) == _weight_shapes(stage1)  # the layout may change, the weights may not
    assert load_config(training.motion_tokenizer, MotionTokenizerTraining).model is not None
    assert load_config(training.music_codec, MusicTokenizerTraining).model is not None
