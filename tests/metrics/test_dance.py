import numpy as np
import pytest
import scipy.linalg

from mumo.errors import MotionError
from mumo.metrics.dance import diversity, evaluate, extract_features
from mumo.metrics.frechet import frechet_distance, frechet_distance_between, gaussian_stats


@pytest.fixture(scope="module")
def golden_sets(golden_motion):
    make_motion = golden_motion
    gt = [make_motion(k, 300) for k in range(60)]
    generated = [make_motion(k, 240) for k in range(1000, 1020)]
    return generated, gt


def test_golden_fid_and_div(golden_sets):
    # the golden values score the generator's joints as given (no frame-0 root subtraction)
    generated, gt = golden_sets
    result = evaluate(generated, gt, subtract_start=False)
    expected = {
        "fid_k": 12.520063657,
        "fid_m": 5.870231299,
        "div_k": 10.4704466,
        "div_m": 7.1690965,
        "div_k_gt": 11.2515812,
        "div_m_gt": 6.6368089,
    }
    for key, value in expected.items():
        assert isinstance(result[key], float), key
        assert result[key] == pytest.approx(value, rel=1e-5), key


def test_zero_variance_blow_up_warns(golden_motion):
    make_motion = golden_motion
    gt = [make_motion(k, 120) for k in range(30)]
    generated = [make_motion(k, 120) for k in range(500, 510)]
    with pytest.warns(RuntimeWarning, match=r"manual feature dims \[.*3.*\]"):
        result = evaluate(generated, gt, subtract_start=False)
    assert result["fid_k"] == pytest.approx(22.463640984, rel=1e-5)
    assert result["div_k"] == pytest.approx(11.9983578, rel=1e-5)
    assert result["fid_m"] > 1e10


def test_bootstrap_intervals_and_zero_start(golden_sets):
    generated, gt = golden_sets
    result = evaluate(generated, extract_features(gt), bootstrap=20, seed=1)
    again = evaluate(generated, extract_features(gt), bootstrap=20, seed=1)
    assert result == again
    for key in ("fid_k", "fid_m", "div_k", "div_m"):
        low, high = result[f"{key}_ci95"]
        assert 0 < low < high < 10 * result[key]
    # the protocol subtracts the start position, and kinetic energy expenditure depends on it
    assert result["fid_k"] != pytest.approx(12.520063657, rel=1e-3)
    assert result["fid_m"] == pytest.approx(5.870231299, rel=1e-5)


def test_frechet_properties():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 5))
    assert frechet_distance_between(x, x) == pytest.approx(0.0, abs=1e-8)
    y = rng.standard_normal((150, 5)) * 2 + 1
    assert frechet_distance_between(x, y) == pytest.approx(frechet_distance_between(y, x), rel=1e-9)
    mu1, s1 = gaussian_stats(x)
    mu2, s2 = gaussian_stats(y)
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    reference = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean).real
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(reference, rel=1e-6)
    one_d = frechet_distance(np.array([0.0]), np.array([[1.0]]), np.array([2.0]), np.array([[9.0]]))
    assert one_d == pytest.approx(4.0 + (1.0 - 3.0) ** 2)


def test_diversity_of_two_points():
    assert diversity(np.array([[0.0, 0.0], [3.0, 4.0]])) == pytest.approx(5.0)


def test_mismatched_skeletons_rejected(golden_sets):
    generated, gt = golden_sets
    with pytest.raises(MotionError, match="same skeleton"):
        evaluate([g[:, :22] for g in generated[:3]], gt[:5])
