import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest
import torch

from mumo.config import from_dict, save_config
from mumo.data.token_store import TokenizerInfo, TokenStoreWriter, new_store_meta
from mumo.errors import CheckpointError, MumoError
from mumo.lm import MusicMotionLM
from mumo.lm.musicgen_import import random_musicgen
from mumo.lm.tasks import Layout
from mumo.pipeline import Components, Pipeline, load, load_components, save_bundle
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
    assert loaded.components.model.config.layout is Layout.GIVEN_FULL  # kept in lm/config.json
    _same_dance(Pipeline(components), loaded, song)


def test_a_bundle_is_never_written_over_other_files(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(MumoError, match="already holds 1 file"):
        save_bundle(tiny_components(), tmp_path / "taken")


def test_weights_of_another_model_shape_are_listed(tmp_path):
    bundle = save_bundle(tiny_components(), tmp_path / "bundle")
    config_path = bundle / "lm" / "config.json"
    config = json.loads(config_path.read_text())
    config["ffn_dim"] = 48
    config_path.write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="ffn"):
        load_components(bundle)


def test_a_bundle_of_another_format_says_to_write_it_again(tmp_path):
    bundle = save_bundle(tiny_components(), tmp_path / "bundle")
    manifest = json.loads((bundle / "bundle.json").read_text())
    old = {**manifest, "format": "mumo-inference-bundle/1", "full_music_context": True}
    (bundle / "bundle.json").write_text(json.dumps(old))
    with pytest.raises(CheckpointError, match=r"'mumo-inference-bundle/1', not .*write the bundle again"):
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


def fake_run(tmp_path, components: Components, model_section: dict) -> Path:
    """A run directory with a config, an empty token store of ``components``' tokenizers and one checkpoint
    (``epoch=1``) of ``components.model``."""
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
        "model": model_section,
    })  # fmt: skip
    run.mkdir()
    save_config(config, run / "config.yaml")
    (run / "checkpoints").mkdir()
    state = {f"model.{k}": v for k, v in components.model.state_dict().items()}
    torch.save({"state_dict": state, "epoch": 0}, run / "checkpoints" / "epoch=1.ckpt")
    return run


def test_a_training_checkpoint_loads_with_the_tokenizers_of_its_store(tmp_path, song):
    components = tiny_components()
    run = fake_run(tmp_path, components, asdict(TINY_LM))
    loaded = load(run / "epoch=1")
    assert loaded.components.settings.window_s == 1.0
    assert loaded.components.model.config.layout is Layout.GIVEN_FULL
    _same_dance(Pipeline(components), loaded, song)
    with pytest.raises(CheckpointError, match=r"epoch=1\.ckpt"):
        load(run / "epoch=7")


def test_a_run_from_musicgen_loads_and_bundles_with_musicgens_own_text_encoder(tmp_path):
    musicgen, tokenizer = random_musicgen(replace(TINY_LM, condition_dim=TINY_LM.dim))
    musicgen.save_pretrained(tmp_path / "musicgen")
    tokenizer.save_pretrained(tmp_path / "musicgen")
    trained = MusicMotionLM.from_musicgen(tmp_path / "musicgen")
    with torch.no_grad():
        for parameter in trained.parameters():  # as if trained: no longer the MusicGen weights
            parameter.add_(0.01 * torch.randn_like(parameter))
    components = replace(tiny_components(), model=trained)
    run = fake_run(tmp_path, components, {"musicgen_directory": str(tmp_path / "musicgen")})
    (run / "lm_config.json").write_text(json.dumps(trained.config.to_dict()))
    loaded = load_components(run / "epoch=1").model
    bundled = load_components(save_bundle(load_components(run / "epoch=1"), tmp_path / "bundle")).model
    texts = ["a house track with bass", "calm"]
    sequence = torch.randint(0, TINY_LM.cardinality + 1, (2, TINY_LM.num_codebooks, 5))
    with torch.no_grad():
        logits = []
        for model in (trained, loaded, bundled):
            conditions = model.eval().encode_descriptions(texts, texts)
            logits.append(model.music_logits(sequence, conditions.music_states, conditions.music_mask))
    assert loaded.config.t5_directory == str(tmp_path / "musicgen")
    torch.testing.assert_close(logits[1], logits[0])
    torch.testing.assert_close(logits[2], logits[0])
    (run / "lm_config.json").write_text(json.dumps({**trained.config.to_dict(), "num_layers": 2}))
    with pytest.raises(CheckpointError, match="MusicGen directory change"):
        load_components(run / "epoch=1")
