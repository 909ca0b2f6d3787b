import numpy as np
import pytest

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


def test_save_and_load_round_trip(tmp_path):
    stats = compute_feature_stats(_clips())
    path = tmp_path / "motion_stats.npz"
    stats.save(path)
    with np.load(path) as archive:
        assert sorted(archive.files) == ["feature_version", "mean", "std"]
        assert int(archive["feature_version"]) == FEATURE_VERSION
    loaded = FeatureStats.load(path)
    np.testing.assert_allclose(loaded.mean, stats.mean, rtol=1e-6)
    np.testing.assert_allclose(loaded.std, stats.std, rtol=1e-6)


def test_load_rejects_missing_or_malformed_files(tmp_path):
    with pytest.raises(DataError, match="not found"):
        FeatureStats.load(tmp_path / "absent.npz")
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, mean=np.zeros(263), sd=np.ones(263))
    with pytest.raises(DataError, match="'std'"):
        FeatureStats.load(wrong)
    zero = tmp_path / "zero.npz"
    np.savez(zero, mean=np.zeros(263), std=np.zeros(263))
    with pytest.raises(DataError, match="non-positive"):
        FeatureStats.load(zero)


def test_statistics_know_their_feature_definition(tmp_path):
    stats = compute_feature_stats(_clips())
    old = tmp_path / "old.npz"
    np.savez(old, mean=stats.mean, std=stats.std)  # written before the definition had a version
    assert FeatureStats.load(old).feature_version == 1  # mumo_dance, the definition of that time
    unknown = tmp_path / "unknown.npz"
    np.savez(unknown, mean=stats.mean, std=stats.std, feature_version=np.array(7))
    with pytest.raises(
        DataError, match=r"unknown\.npz: unknown motion-feature definition 7; this mumo computes"
    ):
        FeatureStats.load(unknown)


def test_compute_rejects_empty_or_invalid_input():
    with pytest.raises(MotionError, match="no feature clips"):
        compute_feature_stats([])
    with pytest.raises(MotionError, match="263 wide"):
        compute_feature_stats([np.zeros((5, 100))])
