import json
from dataclasses import asdict, replace

import numpy as np
import pytest
import torch

from mumo.config import from_dict, save_config
from mumo.data.token_store import TokenizerInfo, TokenStoreWriter, new_store_meta
from mumo.errors import CheckpointError, MumoError
from mumo.pipeline import Pipeline, load, load_components, save_bundle
from mumo.tokenizers import MotionTokenizer
from mumo.train.config import TrainConfig

from ..tokenizers.helpers import TINY_MOTION
from .conftest import TINY_LM, tiny_components


def _same_dance(first: Pipeline, second: Pipeline, song: np.ndarray) -> None:
    one, two = first.dance(song, 32_000, seed=4), second.dance(song, 32_000, seed=4)
    np.testing.assert_array_equal(one.motion_codes, two.motion_codes)
    np.testing.assert_allclose(one.joints, two.joints, atol=1e-5)


def test_a_bundle_reproduces_the_pipeline(tmp_path, song):
    components = tiny_components()
    bundle = save_bundle(components, tmp_path / "bundle")
    assert sorted(p.name for p in bundle.iterdir()) == [
        "bundle.json", "lm", "motion_tokenizer", "music_tokenizer"
    ]  # fmt: skip
    loaded = load(bundle)
    assert loaded.components.settings == components.settings
    _same_dance(Pipeline(components), loaded, song)


def test_a_bundle_is_never_written_over_other_files(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(MumoError, match="not empty"):
        save_bundle(tiny_components(), tmp_path / "taken")


def test_weights_of_another_model_shape_are_listed(tmp_path):
    bundle = save_bundle(tiny_components(), tmp_path / "bundle")
    config_path = bundle / "lm" / "config.json"
    config = json.loads(config_path.read_text())
    config["ffn_dim"] = 48
    config_path.write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="ffn"):
        load_components(bundle)


def test_tokenizers_that_do_not_fit_the_lm_are_refused(tmp_path):
    components = tiny_components()
    three = replace(TINY_MOTION, quantizer=replace(TINY_MOTION.quantizer, num_codebooks=3))
    components.motion_tokenizer = MotionTokenizer.create(three, components.motion_tokenizer.stats)
    bundle = save_bundle(components, tmp_path / "bundle")
    with pytest.raises(CheckpointError, match="motion tokenizer has 3 codebooks"):
        load_components(bundle)


def test_a_folder_that_is_no_bundle_says_what_to_give(tmp_path):
    with pytest.raises(CheckpointError, match=r"no bundle\.json"):
        load_components(tmp_path)
    with pytest.raises(CheckpointError, match="not found"):
        load_components(tmp_path / "missing.ckpt")


def test_a_training_checkpoint_loads_with_the_tokenizers_of_its_store(tmp_path, song):
    components = tiny_components()
    components.music_tokenizer.save(tmp_path / "music")
    components.motion_tokenizer.save(tmp_path / "motion")
    meta = new_store_meta(
        TokenizerInfo.describe(tmp_path / "music", components.music_tokenizer),
        TokenizerInfo.describe(tmp_path / "motion", components.motion_tokenizer),
    )
    with TokenStoreWriter(tmp_path / "store", meta):
        pass
    run = tmp_path / "run"
    config = from_dict(TrainConfig, {
        "run_dir": str(run), "data": {"store": str(tmp_path / "store"), "window_s": 1.0},
        "model": asdict(TINY_LM), "stage": {"full_music_context": True},
    })  # fmt: skip
    run.mkdir()
    save_config(config, run / "config.yaml")
    (run / "checkpoints").mkdir()
    state = {f"model.{k}": v for k, v in components.model.state_dict().items()}
    torch.save({"state_dict": state, "epoch": 0}, run / "checkpoints" / "epoch=1.ckpt")
    loaded = load(run / "epoch=1")
    assert loaded.components.settings.window_s == 1.0
    assert loaded.components.settings.full_music_context
    _same_dance(Pipeline(components), loaded, song)
    with pytest.raises(CheckpointError, match=r"epoch=1\.ckpt"):
        load(run / "epoch=7")
