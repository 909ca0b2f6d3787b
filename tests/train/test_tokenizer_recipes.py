import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from mumo.config import load_config
from mumo.data.clips import read_index, write_index
from mumo.errors import ConfigError
from mumo.tokenizers import MotionTokenizer, MusicTokenizer, load_tokenizer
from mumo.tokenizers.motion_metrics import evaluate_reconstruction
from mumo.train.tokenizer_recipes import (
    MotionTokenizerTraining,
    MusicTokenizerTraining,
    OptimizationConfig,
    train_motion_tokenizer,
    train_music_tokenizer,
)

from ..tokenizers.helpers import TINY_CODEC, TINY_MOTION

CONFIGS = Path(__file__).parents[2] / "configs" / "tokenizers"
FEW_STEPS = OptimizationConfig(steps=3, batch_size=2, window_s=0.5, log_every=1)


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("motion_vqvae.yaml", MotionTokenizerTraining),
        ("motion_vqvae_synthetic.yaml", MotionTokenizerTraining),
        ("audio_codec.yaml", MusicTokenizerTraining),
    ],
)
def test_shipped_configs_load(name, schema):
    config = load_config(CONFIGS / name, schema)
    assert config.model.quantizer.num_codebooks == 4


def test_config_rejects_unknown_keys():
    with pytest.raises(ConfigError, match="codebook_sise"):
        load_config(
            CONFIGS / "motion_vqvae.yaml", MotionTokenizerTraining, ["model.quantizer.codebook_sise=8"]
        )


def test_train_motion_tokenizer_writes_a_loadable_directory(dataset, tmp_path):
    config = MotionTokenizerTraining(model=TINY_MOTION, optimization=FEW_STEPS)
    result = train_motion_tokenizer(dataset, tmp_path / "motion", config)
    assert result.fit.steps == 3
    assert result.test.mpjpe_mm > 0
    assert result.validation.mpjpe_mm > 0
    assert result.validation.acceleration_error_mm > 0
    assert len(result.test.usage) == 2
    assert isinstance(load_tokenizer(tmp_path / "motion"), MotionTokenizer)


def test_train_music_tokenizer_writes_a_loadable_directory(dataset, tmp_path):
    config = MusicTokenizerTraining(model=TINY_CODEC, optimization=replace(FEW_STEPS, steps=2))
    result = train_music_tokenizer(dataset, tmp_path / "music", config)
    assert result.fit.steps == 2
    assert 0.0 <= result.test.beat_f_measure <= 1.0
    assert 0.0 <= result.validation.beat_f_measure <= 1.0
    assert len(result.validation.usage) == 2
    assert isinstance(load_tokenizer(tmp_path / "music"), MusicTokenizer)


def test_motion_tokenizer_can_share_the_music_codebooks(dataset, tmp_path):
    music = MusicTokenizer.create(TINY_CODEC)
    music.save(tmp_path / "music")
    config = MotionTokenizerTraining(
        model=TINY_MOTION, optimization=replace(FEW_STEPS, steps=2), shared_codebooks=str(tmp_path / "music")
    )
    train_motion_tokenizer(dataset, tmp_path / "motion", config)
    motion = load_tokenizer(tmp_path / "motion")
    assert motion.model.quantizer.frozen
    assert torch.equal(motion.model.quantizer.codebooks, music.codebooks())


def test_a_dataset_without_validation_clips_trains_without_validation(dataset, tmp_path, caplog):
    root = tmp_path / "no_val"
    shutil.copytree(dataset, root)
    write_index(root, [replace(r, split="train") if r.split == "val" else r for r in read_index(root)])
    config = MotionTokenizerTraining(model=TINY_MOTION, optimization=FEW_STEPS)
    result = train_motion_tokenizer(root, tmp_path / "motion", config)
    assert result.validation is None
    assert result.test.mpjpe_mm > 0
    assert "no validation clips" in caplog.text


def test_measure_clips_measures_the_first_clips_of_a_split(dataset, tmp_path):
    root = tmp_path / "two_test"
    shutil.copytree(dataset, root)
    write_index(root, [replace(r, split="test") if r.split == "val" else r for r in read_index(root)])
    first = read_index(root, "test")[0]
    config = MotionTokenizerTraining(model=TINY_MOTION, optimization=replace(FEW_STEPS, measure_clips=1))
    result = train_motion_tokenizer(root, tmp_path / "motion", config)
    alone = evaluate_reconstruction(load_tokenizer(tmp_path / "motion"), [np.load(root / first.joints_path)])
    assert result.test == alone
