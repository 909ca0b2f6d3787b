"""Fixtures of the tokenizer tests: joint clips and an untrained tiny motion tokenizer."""

import numpy as np
import pytest

from mumo.motion import compute_feature_stats, joints_to_features
from mumo.tokenizers.motion_tokenizer import MotionTokenizer

from .helpers import TINY_MOTION, swaying_clip


@pytest.fixture(scope="session")
def clips() -> list[np.ndarray]:
    """Four joint clips of 60..120 frames at 60 fps."""
    return [swaying_clip(60 + 20 * i, seed=i) for i in range(4)]


@pytest.fixture(scope="session")
def motion_tokenizer(clips) -> MotionTokenizer:
    """An untrained tiny motion tokenizer with statistics of :func:`clips`."""
    stats = compute_feature_stats(joints_to_features(clip) for clip in clips)
    return MotionTokenizer.create(TINY_MOTION, stats).eval()
