import json

import pytest
import torch

from mumo.config import from_dict
from mumo.errors import CheckpointError
from mumo.train.config import TrainConfig
from mumo.train.run import train


def make_config(tmp_path, store, name: str, epochs: int, **extra) -> TrainConfig:
    data = {
        "run_dir": str(tmp_path / name),
        "seed": 3,
        "data": {"store": str(store), "window_s": 0.4, "batch_size": 4},
        "model": {"num_codebooks": 4, "cardinality": 32, "dim": 32, "num_heads": 4, "num_layers": 2,
                  "ffn_dim": 64, "condition_dim": 32},
        "stage": {"tasks": {"joint": 0.5, "music2motion": 0.5}, "freeze": "none", "motion_weight": 1.0},
        "optim": {"learning_rate": 1e-3, "warmup_steps": 2, "total_steps": 100},
        "trainer": {"max_epochs": epochs, "accelerator": "cpu", "log_every_n_steps": 1},
        **extra,
    }  # fmt: skip
    return from_dict(TrainConfig, data)


def weights(run_dir, epoch: int) -> dict[str, torch.Tensor]:
    state = torch.load(run_dir / "checkpoints" / f"epoch={epoch}.ckpt", weights_only=False)["state_dict"]
    return {k: v for k, v in state.items() if k.startswith("model.")}


@pytest.mark.slow
def test_resume_equals_uninterrupted_training(tmp_path, tiny_store):
    straight = train(make_config(tmp_path, tiny_store, "straight", epochs=4))
    first = train(make_config(tmp_path, tiny_store, "split", epochs=2))
    resumed = train(make_config(tmp_path, tiny_store, "split", epochs=4, resume=str(first / "epoch=2")))
    a, b = weights(straight, 4), weights(resumed, 4)
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6)
    assert not torch.equal(weights(straight, 2)["model.out_norm.weight"], a["model.out_norm.weight"])
    report = json.loads((straight / "optimizer.json").read_text())
    assert {g["group"] for g in report["groups"]} == {"decay", "no_decay", "frozen"}
    assert (straight / "config.yaml").is_file()
    assert (straight / "logs" / "metrics.csv").is_file()


@pytest.mark.slow
def test_init_from_loads_weights_and_freezes(tmp_path, tiny_store):
    stage1 = train(make_config(tmp_path, tiny_store, "s1", epochs=1))
    config = make_config(tmp_path, tiny_store, "s2", epochs=1, init_from=str(stage1 / "epoch=1"))
    config.stage.freeze = "motion_only"
    stage2 = train(config)
    before, after = weights(stage1, 1), weights(stage2, 1)
    torch.testing.assert_close(before["model.music_heads.0.weight"], after["model.music_heads.0.weight"])
    assert not torch.equal(before["model.motion_heads.0.weight"], after["model.motion_heads.0.weight"])


def test_missing_checkpoint_fails_before_training(tmp_path, tiny_store):
    config = make_config(tmp_path, tiny_store, "x", epochs=1, init_from=str(tmp_path / "nothing" / "epoch=3"))
    with pytest.raises(CheckpointError, match="no checkpoint"):
        train(config)
    assert not (tmp_path / "x").exists()


def test_unknown_task_is_a_config_error(tmp_path, tiny_store):
    from mumo.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown task"):
        from_dict(TrainConfig, {"run_dir": "r", "data": {"store": "s"}, "stage": {"tasks": {"dance": 1.0}}})
