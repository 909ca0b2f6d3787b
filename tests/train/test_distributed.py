import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, sys
from mumo.config import from_dict
from mumo.train.callbacks import WeightDigest
from mumo.train.config import TrainConfig
from mumo.train.run import train

config = from_dict(TrainConfig, json.loads(sys.argv[1]))
train(config, callbacks=[WeightDigest(config.run_dir)])
"""


@pytest.mark.slow
def test_two_cpu_processes_hold_identical_weights(tmp_path, tiny_store):
    """Lightning DDP (gloo) relaunches the script as a second process; both end with the same weights."""
    run_dir = tmp_path / "ddp"
    config = {
        "run_dir": str(run_dir),
        "data": {"store": str(tiny_store), "window_s": 0.4, "batch_size": 2},
        "model": {"num_codebooks": 4, "cardinality": 32, "dim": 32, "num_heads": 4, "num_layers": 1,
                  "ffn_dim": 64, "condition_dim": 32},
        "stage": {"tasks": {"joint": 1.0, "music2motion": 1.0}},
        "optim": {"learning_rate": 1e-3, "warmup_steps": 1, "total_steps": 20},
        "trainer": {"max_epochs": 1, "accelerator": "cpu", "devices": 2, "strategy": "ddp",
                    "log_every_n_steps": 1, "limit_train_batches": 3, "progress_bar": False},
    }  # fmt: skip
    script = tmp_path / "train_ddp.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), json.dumps(config)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    hashes = [(run_dir / f"weights_rank{r}.sha256").read_text() for r in (0, 1)]
    assert hashes[0] == hashes[1]
    assert (run_dir / "checkpoints" / "epoch=1.ckpt").is_file()
