import json
import shutil
from dataclasses import replace

import numpy as np
import pytest
import torch

from mumo.errors import CheckpointError
from mumo.motion import FeatureStats
from mumo.motion.features import FEATURE_VERSION, joints_to_features
from mumo.tokenizers import Tokenizer, load_tokenizer
from mumo.tokenizers.motion_tokenizer import MotionTokenizer

from .helpers import TINY_MOTION


def test_protocol_properties(motion_tokenizer):
    assert isinstance(motion_tokenizer, Tokenizer)
    assert motion_tokenizer.frame_rate == 50.0
    assert motion_tokenizer.num_codebooks == 2
    assert motion_tokenizer.cardinality == 16


def test_joints_round_trip_shapes(motion_tokenizer, clips):
    joints = np.stack([clips[0], clips[0]])  # [2, 60, 22, 3]
    codes = motion_tokenizer.encode_joints(joints)
    assert codes.shape == (2, 2, 50)
    assert codes.dtype == torch.int64
    decoded = motion_tokenizer.decode_to_joints(codes)
    assert decoded.shape == (2, 60, 22, 3)
    assert decoded.dtype == torch.float32
    assert motion_tokenizer.decode_to_joints(codes, 61).shape == (2, 61, 22, 3)


def test_save_load_round_trip_gives_identical_codes(motion_tokenizer, clips, tmp_path):
    motion_tokenizer.save(tmp_path / "motion")
    assert {p.name for p in (tmp_path / "motion").iterdir()} == {
        "config.json",
        "model.safetensors",
        "motion_stats",
    }
    assert {p.name for p in (tmp_path / "motion" / "motion_stats").iterdir()} == {
        "config.json",
        "model.safetensors",
    }
    loaded = load_tokenizer(tmp_path / "motion")
    assert isinstance(loaded, MotionTokenizer)
    joints = clips[1][None]
    assert torch.equal(loaded.encode_joints(joints), motion_tokenizer.encode_joints(joints))
    np.testing.assert_allclose(loaded.stats.mean, motion_tokenizer.stats.mean, rtol=1e-6)
    assert loaded.model.config == motion_tokenizer.model.config


def test_a_tokenizer_trained_with_the_joint_terms_loads_with_its_statistics(motion_tokenizer, tmp_path):
    config = replace(TINY_MOTION, foot_slide_weight=1.0, joint_path_weight=1.0, decoder_code_noise=0.1)
    trained = MotionTokenizer.create(config, motion_tokenizer.stats)
    trained.save(tmp_path / "motion")
    loaded = MotionTokenizer.load(tmp_path / "motion")
    assert loaded.model.config == config
    torch.testing.assert_close(loaded.model.feature_std, torch.from_numpy(motion_tokenizer.stats.std).float())


def test_a_tokenizer_computes_the_features_of_its_own_definition(motion_tokenizer, clips, tmp_path):
    motion_tokenizer.save(tmp_path / "m")
    config_path = tmp_path / "m" / "config.json"
    config = json.loads(config_path.read_text())
    assert config["feature_version"] == FEATURE_VERSION
    config_path.write_text(json.dumps({**config, "feature_version": 7}))
    with pytest.raises(CheckpointError, match=r"unknown motion-feature definition 7"):
        load_tokenizer(tmp_path / "m")
    dance = MotionTokenizer.create(TINY_MOTION, replace(motion_tokenizer.stats, feature_version=1)).eval()
    joints = torch.from_numpy(clips[0][None]).float()
    expected = dance.stats.normalize(joints_to_features(clips[0], 60.0, version=1))
    with torch.no_grad():
        torch.testing.assert_close(
            dance.encode_joints(joints), dance.encode(torch.from_numpy(expected)[None].float())
        )


def test_missing_files_raise_checkpoint_error(motion_tokenizer, tmp_path):
    with pytest.raises(CheckpointError, match=r"config\.json"):
        load_tokenizer(tmp_path / "nowhere")
    motion_tokenizer.save(tmp_path / "m")
    shutil.rmtree(tmp_path / "m" / "motion_stats")
    with pytest.raises(CheckpointError, match=r"motion_stats not found; a motion tokenizer directory needs"):
        load_tokenizer(tmp_path / "m")
    np.savez(tmp_path / "m" / "motion_stats.npz", mean=np.zeros(263), std=np.ones(263))  # earlier versions
    with pytest.raises(CheckpointError, match=r"motion_stats\.npz holds motion statistics in the \.npz form"):
        load_tokenizer(tmp_path / "m")
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "config.json").write_text(json.dumps({"kind": "banana"}))
    with pytest.raises(CheckpointError, match="banana"):
        load_tokenizer(tmp_path / "k")


def test_weights_of_another_shape_raise_checkpoint_error(motion_tokenizer, tmp_path):
    motion_tokenizer.save(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    config["model"]["channels"] = [32, 20]
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="mis-shaped"):
        load_tokenizer(tmp_path / "m")


def test_external_frozen_codebooks_stay_fixed_through_training():
    shared = torch.randn(2, 16, 8)
    config = replace(TINY_MOTION, quantizer=replace(TINY_MOTION.quantizer, frozen=True))
    tokenizer = MotionTokenizer.create(config, FeatureStats(np.zeros(263), np.ones(263)), shared)
    optimizer = torch.optim.Adam(tokenizer.parameters(), lr=1e-3)
    for _ in range(3):
        out = tokenizer.model(torch.randn(2, 12, 263))
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
    assert torch.equal(tokenizer.model.quantizer.codebooks, shared)
    assert tokenizer.model.encoder[0].weight.grad is not None
