import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.metrics.dance import diversity, evaluate, extract_features


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


def test_diversity_of_two_points():
    assert diversity(np.array([[0.0, 0.0], [3.0, 4.0]])) == pytest.approx(5.0)


@pytest.mark.filterwarnings("ignore:.*constant in the ground truth")
def test_mismatched_skeletons_rejected_unless_smpl22_asked_for(golden_sets):
    generated, gt = golden_sets
    smpl22 = [g[:, :22] for g in generated[:3]]
    with pytest.raises(MotionError, match="same skeleton"):
        evaluate(smpl22, gt[:5])
    result = evaluate(smpl22, gt[:5], num_joints=22)
    assert result == evaluate(smpl22, [g[:, :22] for g in gt[:5]])
    with pytest.raises(MotionError, match="fewer than 24 joints"):
        evaluate(smpl22, gt[:5], num_joints=24)
