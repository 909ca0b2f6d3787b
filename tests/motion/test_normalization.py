import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from mumo.errors import DataError, MotionError
from mumo.motion import STD_FLOOR, FeatureStats, compute_feature_stats
from mumo.motion.features import FEATURE_VERSION


def _clips(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    clips = [rng.normal(2.0, 3.0, size=(length, 263)) for length in (5, 17, 40)]
    for clip in clips:
        clip[:, 259:] = 1.0  # feet never leave the floor
    return clips


def test_stats_weigh_every_frame_equally_and_floor_constant_channels():
    clips = _clips()
    stats = compute_feature_stats(clips)
    frames = np.concatenate(clips)
    np.testing.assert_allclose(stats.mean, frames.mean(axis=0))
    np.testing.assert_allclose(stats.std[:259], frames[:, :259].std(axis=0))
    np.testing.assert_array_equal(stats.std[259:], STD_FLOOR)


def test_normalize_then_denormalize_round_trips():
    clips = _clips()
    stats = compute_feature_stats(clips)
    normalized = stats.normalize(clips[2])
    assert normalized.dtype == np.float32
    np.testing.assert_allclose(normalized[:, :259].mean(axis=0), 0.0, atol=0.6)
    np.testing.assert_allclose(stats.denormalize(normalized), clips[2], atol=1e-4)
    batch = np.stack([clips[2], clips[2]])
    np.testing.assert_allclose(stats.normalize(batch)[1], normalized)


def test_save_and_load_round_trip_is_bit_identical(tmp_path):
    stats = compute_feature_stats(_clips())
    folder = stats.save(tmp_path / "motion_stats")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    config = json.loads((folder / "config.json").read_text())
    assert config == {
        "feature_definition": "humanml3d",
        "feature_version": FEATURE_VERSION,
        "kind": "motion_stats",
    }
    tensors = load_file(str(folder / "model.safetensors"))
    assert {name: (t.dtype, tuple(t.shape)) for name, t in tensors.items()} == {
        "mean": (torch.float32, (263,)),
        "std": (torch.float32, (263,)),
    }
    loaded = FeatureStats.load(folder)
    for name in ("mean", "std"):  # the float32 values saved, as float64: what the .npz form gave
        assert getattr(loaded, name).dtype == np.float64
        np.testing.assert_array_equal(getattr(loaded, name), getattr(stats, name).astype(np.float32))
    assert loaded.feature_version == FEATURE_VERSION
    again = FeatureStats.load(loaded.save(tmp_path / "again"))
    for name in ("mean", "std"):
        assert getattr(again, name).tobytes() == getattr(loaded, name).tobytes()
    clip = _clips(seed=1)[0]
    assert loaded.normalize(clip).tobytes() == again.normalize(clip).tobytes()


def test_load_rejects_missing_or_malformed_folders(tmp_path):
    with pytest.raises(DataError, match=r"motion statistics .*absent not found; build the dataset again"):
        FeatureStats.load(tmp_path / "absent")
    good = FeatureStats(np.zeros(263), np.ones(263)).save(tmp_path / "good")
    wrong = FeatureStats(np.zeros(263), np.ones(263)).save(tmp_path / "wrong")
    save_file({"mean": torch.zeros(263), "sd": torch.ones(263)}, str(wrong / "model.safetensors"))
    with pytest.raises(DataError, match=r"missing \['std'\], unexpected \['sd'\], mis-shaped \[\]"):
        FeatureStats.load(wrong)
    save_file({"mean": torch.zeros(262), "std": torch.ones(263)}, str(wrong / "model.safetensors"))
    with pytest.raises(DataError, match=r"mis-shaped \['mean \(262,\) != \(263,\)'\]"):
        FeatureStats.load(wrong)
    (wrong / "model.safetensors").write_bytes(b"truncated")
    with pytest.raises(DataError, match="cannot be read"):
        FeatureStats.load(wrong)
    zero = FeatureStats(np.zeros(263), np.zeros(263)).save(tmp_path / "zero")
    with pytest.raises(DataError, match="non-positive"):
        FeatureStats.load(zero)
    config = json.loads((good / "config.json").read_text())
    (good / "config.json").write_text(json.dumps({**config, "kind": "motion_vqvae"}))
    with pytest.raises(DataError, match="of kind 'motion_vqvae', not 'motion_stats'"):
        FeatureStats.load(good)
    (good / "config.json").write_text("{")
    with pytest.raises(DataError, match="not valid JSON"):
        FeatureStats.load(good)


def test_the_npz_form_of_earlier_versions_is_refused_with_the_remedy(tmp_path):
    np.savez(tmp_path / "motion_stats.npz", mean=np.zeros(263), std=np.ones(263), feature_version=np.array(2))
    with pytest.raises(
        DataError, match=r"motion_stats\.npz holds motion statistics in the \.npz form"
    ) as info:
        FeatureStats.load(tmp_path / "motion_stats")
    assert "motion_stats/ of config.json and model.safetensors" in str(info.value)
    assert "`mumo data synth`, `mumo prepare ...`" in str(info.value)


def test_statistics_know_their_feature_definition(tmp_path):
    stats = compute_feature_stats(_clips(), feature_version=1)
    assert FeatureStats.load(stats.save(tmp_path / "dance")).feature_version == 1  # mumo_dance
    config = json.loads((tmp_path / "dance" / "config.json").read_text())
    assert config["feature_definition"] == "mumo_dance"
    unknown = stats.save(tmp_path / "unknown")
    (unknown / "config.json").write_text(json.dumps({**config, "feature_version": 7}))
    with pytest.raises(DataError, match=r"unknown: unknown motion-feature definition 7; this mumo computes"):
        FeatureStats.load(unknown)
    (unknown / "config.json").write_text(json.dumps({**config, "feature_version": 2}))
    with pytest.raises(DataError, match="feature_definition 'mumo_dance' is not that of feature_version 2"):
        FeatureStats.load(unknown)


def test_compute_rejects_empty_or_invalid_input():
    with pytest.raises(MotionError, match="no feature clips"):
        compute_feature_stats([])
    with pytest.raises(MotionError, match="263 wide"):
        compute_feature_stats([np.zeros((5, 100))])
