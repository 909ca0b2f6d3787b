import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.metrics.dance_features import kinetic_features, manual_features

KINETIC_K3 = [
    (1.1638532, 0.5777632, 3308.1558),
    (5.7427635, 2.8114777, 3362.9565),
    (2.8416727, 1.4270868, 2805.3035),
    (0.78524661, 0.38189852, 1767.4580),
    (4.9557357, 2.4837427, 653.81750),
    (2.3082023, 1.0972012, 1115.1035),
    (0.51343000, 0.21292108, 1948.5990),
    (4.2571831, 2.0765436, 2925.9534),
    (1.6750170, 0.83212596, 3518.2063),
    (0.22203061, 0.097024903, 3462.3579),
    (3.4597914, 1.7640164, 2905.3301),
    (1.1551499, 0.58119965, 2054.6147),
    (5.7954078, 2.7770143, 1077.4363),
    (2.8884346, 1.3984786, 759.43457),
    (0.78973526, 0.37929690, 1821.2389),
    (4.8851991, 2.5037932, 2841.9937),
    (2.2518809, 1.1172241, 3333.2139),
    (0.50891834, 0.21457267, 3404.2288),
    (4.2792177, 2.0668273, 3022.2441),
    (1.6996921, 0.81886369, 2422.0593),
    (0.22351733, 0.096217476, 1504.5681),
    (3.4924917, 1.7668759, 1121.0085),
    (1.1665585, 0.58940506, 1903.1322),
    (5.6563153, 2.8541439, 2440.8257),
]
MANUAL_K3 = [
    0.3361345,
    0.3109244,
    0.4201681,
    1,
    0.394958,
    0.394958,
    0.7142857,
    0.9663866,
    0,
    0.4957983,
    0.5294118,
    0.4537815,
    1,
    1,
    0,
    0.5378152,
    0,
    0.2436975,
    0.1344538,
    0.1680672,
    0,
    1,
    1,
    1,
    1,
    1,
    1,
    0.4033614,
    0,
    0,
    0,
    1,
]


def test_kinetic_golden(golden_motion):
    features = kinetic_features(golden_motion(3, 120))
    assert features.dtype == np.float32
    assert features.shape == (72,)
    np.testing.assert_allclose(features, np.asarray(KINETIC_K3).reshape(-1), rtol=1e-5)


def test_manual_golden_and_move_quirk(golden_motion):
    features = manual_features(golden_motion(3, 120))
    np.testing.assert_allclose(features, MANUAL_K3, atol=1e-7)
    assert features[4] == features[5]
    corrected = manual_features(golden_motion(3, 120), move_uses_third_arg=False)
    assert corrected[4] != corrected[5]


def test_energy_expenditure_depends_on_position_like_the_reference(golden_motion):
    motion = golden_motion(3, 120)
    shifted = motion + np.array([1.0, 0.0, 0.0])
    assert kinetic_features(shifted)[2] == pytest.approx(5433.802, rel=1e-5)
    corrected = kinetic_features(motion, ee_precedence_quirk=False)
    np.testing.assert_allclose(kinetic_features(shifted, ee_precedence_quirk=False), corrected, rtol=1e-5)


def test_manual_translation_invariant_and_22_joint_variant(golden_motion):
    motion = golden_motion(11, 90)
    np.testing.assert_array_equal(manual_features(motion), manual_features(motion + 2.0))
    assert manual_features(motion[:, :22]).shape == (32,)
    assert kinetic_features(motion[:, :22]).shape == (66,)


def test_short_or_bad_input():
    with pytest.raises(MotionError, match="at least 3 frames"):
        kinetic_features(np.zeros((2, 24, 3)))
    with pytest.raises(MotionError, match="J in"):
        manual_features(np.zeros((10, 23, 3)))
