import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.motion.kinematics import jitter
from mumo.tokenizers.motion_metrics import (
    acceleration_error_mm,
    evaluate_reconstruction,
    mpjpe_mm,
    root_relative_mpjpe_mm,
)


def test_mpjpe_is_mean_joint_distance_in_mm():
    reference = np.zeros((4, 22, 3))
    predicted = reference.copy()
    predicted[..., 0] = 0.003  # 3 mm along x everywhere
    assert mpjpe_mm(predicted, reference) == pytest.approx(3.0)


def test_root_relative_mpjpe_leaves_out_the_path_and_keeps_the_pose():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(5, 22, 3))
    drifted = reference + np.linspace(0.0, 0.5, 5)[:, None, None]  # the whole body drifts 0.5 m
    assert mpjpe_mm(drifted, reference) > 100
    assert root_relative_mpjpe_mm(drifted, reference) == pytest.approx(0.0, abs=1e-9)
    bent = reference.copy()
    bent[:, 7, 1] += 0.004  # one joint 4 mm higher in every frame
    assert root_relative_mpjpe_mm(bent, reference) == pytest.approx(4.0 / 22)


def test_acceleration_error_ignores_constant_velocity_offsets():
    reference = np.zeros((6, 22, 3))
    drift = reference + np.arange(6)[:, None, None] * 0.01  # constant velocity: no acceleration
    assert acceleration_error_mm(drift, reference) == pytest.approx(0.0, abs=1e-9)
    jolt = reference.copy()
    jolt[3, :, 1] = 0.001
    # second differences at frames 1..3 of the jolt are 1, -2, 1 mm
    assert acceleration_error_mm(jolt, reference) == pytest.approx(4 / 4)


def test_shape_mismatch_raises():
    with pytest.raises(MotionError):
        mpjpe_mm(np.zeros((4, 22, 3)), np.zeros((5, 22, 3)))


def test_evaluate_reconstruction_reports_finite_errors(motion_tokenizer, clips):
    result = evaluate_reconstruction(motion_tokenizer, clips[:2])
    assert np.isfinite(result.mpjpe_mm)
    assert result.mpjpe_mm > 0
    assert 0 < result.root_relative_mpjpe_mm < np.inf
    assert np.isfinite(result.acceleration_error_mm)
    assert result.jitter_m_s3 > 0
    # canonicalising is a rigid motion: the reference jitter is the clips' own
    assert result.reference_jitter_m_s3 == pytest.approx(np.mean([jitter(c) for c in clips[:2]]))
    assert len(result.usage) == 2
    assert all(0 < u <= 1 for u in result.usage)
