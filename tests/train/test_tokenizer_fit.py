import csv
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from mumo.errors import CheckpointError
from mumo.tokenizers import MotionTokenizer, load_tokenizer
from mumo.tokenizers.rvq import RVQConfig
from mumo.train.tokenizer_recipes import MotionTokenizerTraining, OptimizationConfig, train_motion_tokenizer

from ..tokenizers.helpers import TINY_MOTION

# dead_code_steps=1 restarts unused codes at every step, so exact resumption also covers the random restarts
RESTARTING = replace(
    TINY_MOTION, quantizer=RVQConfig(num_codebooks=2, codebook_size=16, dim=8, dead_code_steps=1)
)
SIX_STEPS = OptimizationConfig(
    steps=6, batch_size=2, window_s=0.5, log_every=1, checkpoint_every=3, validate_every=3, seed=5,
    learning_rate=1e-3, warmup_steps=2, final_lr_factor=0.1, accelerator="cpu",
)  # fmt: skip


@pytest.fixture(scope="module")
def uninterrupted(dataset, tmp_path_factory) -> Path:
    """A six-step training with checkpoints at steps 3 and 6."""
    out = tmp_path_factory.mktemp("uninterrupted")
    train_motion_tokenizer(dataset, out, MotionTokenizerTraining(model=RESTARTING, optimization=SIX_STEPS))
    return out


def test_training_writes_checkpoints_logs_and_a_loadable_tokenizer(uninterrupted):
    checkpoints = sorted(p.name for p in (uninterrupted / "checkpoints").glob("*.ckpt"))
    assert checkpoints == ["last.ckpt", "step=3.ckpt", "step=6.ckpt"]
    assert torch.load(uninterrupted / "checkpoints" / "step=3.ckpt", weights_only=False)["global_step"] == 3
    with open(uninterrupted / "logs" / "csv" / "from_step=0" / "metrics.csv") as file:
        rows = list(csv.DictReader(file))
    assert sum(bool(row.get("train/loss")) for row in rows) == 6
    assert [row["step"] for row in rows if row.get("val/mpjpe_mm")] == ["3", "6"]
    assert list((uninterrupted / "logs" / "tensorboard" / "from_step=0").glob("events.out.tfevents.*"))
    tokenizer = load_tokenizer(uninterrupted)
    assert isinstance(tokenizer, MotionTokenizer)
    assert bool(tokenizer.model.quantizer.initialized)


def test_resumed_training_repeats_the_uninterrupted_one(dataset, uninterrupted, tmp_path):
    resumed = replace(SIX_STEPS, resume=str(uninterrupted / "checkpoints" / "step=3.ckpt"))
    result = train_motion_tokenizer(
        dataset, tmp_path, MotionTokenizerTraining(model=RESTARTING, optimization=resumed)
    )
    assert result.fit.steps == 6
    assert (tmp_path / "logs" / "csv" / "from_step=3" / "metrics.csv").is_file()
    expected = load_file(uninterrupted / "model.safetensors")
    actual = load_file(tmp_path / "model.safetensors")
    assert expected.keys() == actual.keys()
    for name, tensor in expected.items():
        torch.testing.assert_close(actual[name], tensor, atol=1e-6, rtol=0, msg=name)
    shorter = replace(SIX_STEPS, steps=3)
    train_motion_tokenizer(
        dataset, tmp_path / "three", MotionTokenizerTraining(model=RESTARTING, optimization=shorter)
    )
    assert not torch.allclose(load_file(tmp_path / "three" / "model.safetensors")["quantizer.codebooks"],
                              expected["quantizer.codebooks"])  # fmt: skip


def test_missing_resume_checkpoint_fails_before_training(dataset, tmp_path):
    missing = replace(SIX_STEPS, resume=str(tmp_path / "run" / "checkpoints" / "step=9.ckpt"))
    with pytest.raises(CheckpointError, match=r"step=9\.ckpt not found"):
        train_motion_tokenizer(
            dataset, tmp_path / "out", MotionTokenizerTraining(model=RESTARTING, optimization=missing)
        )
    assert not (tmp_path / "out").exists()


def test_resume_checkpoint_of_another_model_is_refused(dataset, uninterrupted, tmp_path):
    other = replace(RESTARTING, channels=(16, 24))
    config = replace(SIX_STEPS, resume=str(uninterrupted / "checkpoints" / "last.ckpt"))
    with pytest.raises(CheckpointError, match="do not fit"):
        train_motion_tokenizer(dataset, tmp_path, MotionTokenizerTraining(model=other, optimization=config))
    assert not (tmp_path / "checkpoints").exists()


def test_a_fresh_start_never_overwrites_an_earlier_training(dataset, uninterrupted):
    before = (uninterrupted / "checkpoints" / "last.ckpt").stat().st_mtime_ns
    with pytest.raises(CheckpointError, match="already holds a tokenizer training"):
        train_motion_tokenizer(
            dataset, uninterrupted, MotionTokenizerTraining(model=RESTARTING, optimization=SIX_STEPS)
        )
    assert (uninterrupted / "checkpoints" / "last.ckpt").stat().st_mtime_ns == before
