"""Fixtures of the tokenizer tests: joint clips, an untrained tiny motion tokenizer and a tiny dataset."""

from pathlib import Path

import numpy as np
import pytest

from mumo.data.synthetic.build import build_synthetic_dataset
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


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """A synthetic mumo dataset of three 1-1.5 s clips (train, val and test splits)."""
    root = tmp_path_factory.mktemp("synth")
    build_synthetic_dataset(root, num_clips=3, seed=0, min_duration_s=1.0, max_duration_s=1.5)
    return root
