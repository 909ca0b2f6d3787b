from pathlib import Path

import pytest

from mumo.config import load_config
from mumo.train.config import TrainConfig

EXPERIMENTS = sorted(
    Path(__file__).resolve().parents[2].joinpath("configs", "experiments").glob("attempt*.yaml")
)


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_experiment_configs_load_and_say_what_they_are(path):
    config = load_config(path, TrainConfig)
    assert path.read_text().startswith("# Attempt")
    assert config.run_dir.endswith(path.stem)


def test_the_log_settings():
    root = EXPERIMENTS[0].parent
    first = load_config(root / "attempt3_1_stage1.yaml", TrainConfig)
    assert first.stage.tasks == {"music2motion": 1.0}
    assert first.stage.freeze == "motion_only"
    assert first.stage.full_music_context
    assert first.stage.motion_weight == pytest.approx(0.15)
    second = load_config(root / "attempt3_2_stage1.yaml", TrainConfig)
    assert second.optim.learning_rate == pytest.approx(1e-5)
    assert second.stage.motion_weight == 1.0
    stage2 = load_config(root / "attempt3_2_stage2.yaml", TrainConfig)
    assert stage2.init_from.endswith("epoch=21")
    assert set(stage2.stage.tasks) == {"joint", "music2motion", "motion2music"}
    assert load_config(root / "attempt3_3_stage2.yaml", TrainConfig).data.store != stage2.data.store


@pytest.mark.parametrize("name", ["lm_stage1", "lm_stage2"])
def test_demo_lm_configs_load(name):
    root = EXPERIMENTS[0].parents[1] / "demo"
    config = load_config(root / f"{name}.yaml", TrainConfig)
    assert config.trainer.accelerator == "cpu"
    assert config.evaluation.every_n_epochs > 0
