import numpy as np

from mumo.metrics import cache as cache_module
from mumo.metrics.cache import FeatureCache, clip_key
from mumo.metrics.dance import extract_features


def test_second_call_reads_back_instead_of_recomputing(tmp_path, golden_motion, monkeypatch):
    clips = [golden_motion(k, 90) for k in range(4)]
    first_cache = FeatureCache(tmp_path / "gt")
    first = first_cache.features(clips)
    assert first_cache.computed == 4
    assert len(list((tmp_path / "gt").glob("*.npz"))) == 4
    np.testing.assert_array_equal(first.manual, extract_features(clips).manual)

    def must_not_run(*args, **kwargs):
        raise AssertionError("features were recomputed")

    monkeypatch.setattr(cache_module, "extract_features", must_not_run)
    second_cache = FeatureCache(tmp_path / "gt")
    second = second_cache.features(clips)
    assert second_cache.computed == 0
    np.testing.assert_array_equal(first.kinetic, second.kinetic)
    np.testing.assert_array_equal(first.manual, second.manual)


def test_changed_joints_or_code_version_invalidate(tmp_path, golden_motion, monkeypatch):
    clips = [golden_motion(k, 90) for k in range(3)]
    FeatureCache(tmp_path).features(clips)
    changed = FeatureCache(tmp_path)
    changed.features([clips[0] + 0.01, *clips[1:]])
    assert changed.computed == 1
    key = clip_key(clips[1])
    monkeypatch.setattr(cache_module, "FEATURE_CODE_VERSION", "dance-features-next")
    assert clip_key(clips[1]) != key
    bumped = FeatureCache(tmp_path)
    bumped.features(clips)
    assert bumped.computed == 3
