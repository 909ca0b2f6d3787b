import pytest

from mumo.config import from_dict
from mumo.train.callbacks import WeightDigest
from mumo.train.config import TrainConfig
from mumo.train.run import train


@pytest.mark.slow
def test_two_cpu_processes_hold_identical_weights(tmp_path, tiny_store):
    config = from_dict(
        TrainConfig,
        {
            "run_dir": str(tmp_path / "ddp"),
            "data": {"store": str(tiny_store), "window_s": 0.4, "batch_size": 2},
            "model": {"num_codebooks": 4, "cardinality": 32, "dim": 32, "num_heads": 4, "num_layers": 1,
                      "ffn_dim": 64, "condition_dim": 32},
            "stage": {"tasks": {"joint": 1.0}},
            "optim": {"learning_rate": 1e-3, "warmup_steps": 1, "total_steps": 20},
            "trainer": {"max_epochs": 1, "accelerator": "cpu", "devices": 2, "strategy": "ddp_spawn",
                        "log_every_n_steps": 1},
        },
    )  # fmt: skip
    (tmp_path / "ddp").mkdir()
    train(config, callbacks=[WeightDigest(tmp_path / "ddp")])
    hashes = [(tmp_path / "ddp" / f"weights_rank{r}.sha256").read_text() for r in (0, 1)]
    assert hashes[0] == hashes[1]
