import warnings

import numpy as np
import pytest
import scipy.linalg

from mumo.metrics.frechet import frechet_distance, frechet_distance_between, gaussian_stats


def scipy_sqrtm_form(x: np.ndarray, y: np.ndarray) -> tuple[float, bool]:
    """The reference formula with ``scipy.linalg.sqrtm`` of the covariance product (real part taken)."""
    mu1, s1 = gaussian_stats(x)
    mu2, s2 = gaussian_stats(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy warns on the singular product
        covmean = scipy.linalg.sqrtm(s1 @ s2)
    value = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean).real
    return float(value), bool(np.iscomplexobj(covmean))


def test_identity_and_symmetry():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 5))
    y = rng.standard_normal((150, 5)) * 2 + 1
    assert frechet_distance_between(x, x) == pytest.approx(0.0, abs=1e-8)
    assert frechet_distance_between(x, y) == pytest.approx(frechet_distance_between(y, x), rel=1e-9)


def test_one_dimensional_closed_form():
    value = frechet_distance(np.array([0.0]), np.array([[1.0]]), np.array([2.0]), np.array([[9.0]]))
    assert value == pytest.approx((0.0 - 2.0) ** 2 + (1.0 - 3.0) ** 2)


def test_matches_scipy_sqrtm_form_well_conditioned():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((200, 5)), rng.standard_normal((150, 5)) * 2 + 1
    reference, _ = scipy_sqrtm_form(x, y)
    assert frechet_distance_between(x, y) == pytest.approx(reference, rel=1e-9)


def test_singular_covariance_stays_real_and_matches_scipy():
    # fewer samples than dimensions, as with 40 generated clips and 72 kinetic dims
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((20, 30)), rng.standard_normal((200, 30)) * 1.5 + 0.2
    reference, complex_result = scipy_sqrtm_form(x, y)
    assert complex_result  # SciPy returns a complex matrix here; the reference would return a complex FID
    value = frechet_distance_between(x, y)
    assert type(value) is float
    assert value == pytest.approx(reference, rel=1e-6)
