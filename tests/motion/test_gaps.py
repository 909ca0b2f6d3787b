import pickle

import numpy as np
import pytest

from mumo.errors import MotionError
from mumo.motion.gaps import fill_gaps
from tests.realdata import realdata


def test_short_gaps_are_interpolated_and_counted():
    time = np.arange(20, dtype=np.float64)
    points = np.stack([np.stack([time, 2 * time, -time], -1), np.stack([time**2, time, time], -1)], axis=1)
    holes = points.copy()
    holes[5:8, 0] = np.nan  # three frames of joint 0
    holes[10, 1, 2] = np.inf  # one coordinate of joint 1
    holes[0, 1] = np.nan  # at the start: holds the first valid frame
    filled = fill_gaps(holes, max_gap=3)
    assert (filled.gaps, filled.frames) == (3, 5)
    np.testing.assert_allclose(filled.points[:, 0], points[:, 0])  # a straight line comes back exactly
    np.testing.assert_allclose(filled.points[10, 1], (points[9, 1] + points[11, 1]) / 2)
    np.testing.assert_allclose(filled.points[0, 1], points[1, 1])
    unchanged = np.ones(20, bool)
    unchanged[[0, 10]] = False
    np.testing.assert_array_equal(filled.points[unchanged, 1], points[unchanged, 1])


def test_long_gaps_and_lost_joints_are_errors_naming_the_joint():
    points = np.zeros((30, 2, 3))
    points[4:11, 1] = np.nan
    with pytest.raises(MotionError, match=r"knee is missing for 7 frames from frame 4 \(gaps of up to 6"):
        fill_gaps(points, max_gap=6, names=("hip", "knee"))
    assert fill_gaps(points, max_gap=7).frames == 7
    points[:, 0] = np.nan
    with pytest.raises(MotionError, match="joint 0 is missing in every frame"):
        fill_gaps(points, max_gap=7)


def test_the_raw_aistpp_keypoints_have_short_gaps_only():
    with realdata("aistpp/keypoints3d/gBR_sBM_cAll_d04_mBR2_ch08.pkl").open("rb") as handle:
        raw = pickle.load(handle)["keypoints3d"]
    missing = ~np.isfinite(raw).all(axis=-1)
    filled = fill_gaps(raw, max_gap=2)
    assert filled.frames == missing.sum() > 0
    assert 0 < filled.gaps < filled.frames
    assert np.isfinite(filled.points).all()
    # Each filled keypoint lies between its neighbours: no jump larger than the clip's own frame steps.
    steps = np.linalg.norm(np.diff(filled.points, axis=0), axis=-1)
    near_gap = missing[1:] | missing[:-1]
    assert steps[near_gap].max() <= np.percentile(steps[~near_gap], 99.9)
    with pytest.raises(MotionError, match="from frame"):
        fill_gaps(raw, max_gap=1)
