import numpy as np
import pytest

from mumo.errors import DataError
from mumo.metrics.style import StyleClassifier, windows


def _blobs(rng, n_per_class):
    centres = {"house": [3.0, 0.0, 0.0], "waltz": [0.0, 3.0, 0.0], "hip-hop": [0.0, 0.0, 3.0]}
    features, labels = [], []
    for style, centre in centres.items():
        features.append(rng.normal(centre, 1.0, size=(n_per_class, 3)) * [1.0, 10.0, 0.1])
        labels += [style] * n_per_class
    return np.concatenate(features), labels


def test_separable_styles_are_recognised_and_scale_does_not_matter():
    rng = np.random.default_rng(0)
    train, train_labels = _blobs(rng, 40)
    test, test_labels = _blobs(rng, 20)
    classifier = StyleClassifier.fit(train, train_labels)
    assert classifier.styles == ("hip-hop", "house", "waltz")
    assert classifier.accuracy(test, test_labels) >= 0.9
    assert classifier.predict(np.array([[3.0, 0.0, 0.0]]) * [1.0, 10.0, 0.1]) == ["house"]


def test_features_unrelated_to_style_score_near_chance():
    rng = np.random.default_rng(1)
    train, train_labels = rng.normal(size=(120, 5)), ["a", "b", "c", "d"] * 30
    test, test_labels = rng.normal(size=(400, 5)), ["a", "b", "c", "d"] * 100
    accuracy = StyleClassifier.fit(train, train_labels).accuracy(test, test_labels)
    assert 0.15 < accuracy < 0.4


def test_fit_is_deterministic_and_checks_its_input():
    rng = np.random.default_rng(2)
    train, labels = _blobs(rng, 10)
    first, second = StyleClassifier.fit(train, labels), StyleClassifier.fit(train, labels)
    np.testing.assert_array_equal(first.weights, second.weights)
    with pytest.raises(DataError, match="at least two styles"):
        StyleClassifier.fit(train, ["house"] * len(train))
    with pytest.raises(DataError, match="30 feature rows but 2"):
        StyleClassifier.fit(train, ["a", "b"])


def test_windows_cover_the_clip_with_the_hop():
    clip = np.arange(10)[:, None, None] * np.ones((1, 2, 3))
    cut = windows(clip, 4, 3)
    assert [w[0, 0, 0] for w in cut] == [0, 3, 6]
    assert all(w.shape == (4, 2, 3) for w in cut)
    assert windows(clip, 11, 1) == []
