import numpy as np

from mumo.metrics.cache import FeatureCache
from mumo.metrics.dance import extract_features


def test_cache_reuses_and_invalidates(tmp_path, golden_motion):
    clips = [golden_motion(k, 90) for k in range(4)]
    cache = FeatureCache(tmp_path / "gt")
    first = cache.features(clips)
    assert cache.computed == 4
    second = FeatureCache(tmp_path / "gt").features(clips)
    np.testing.assert_array_equal(first.kinetic, second.kinetic)
    np.testing.assert_array_equal(first.manual, extract_features(clips).manual)
    again = FeatureCache(tmp_path / "gt")
    changed = [clips[0] + 0.01, *clips[1:]]
    again.features(changed)
    assert again.computed == 1
