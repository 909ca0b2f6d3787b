"""Fixtures of the pipeline tests: tiny random-weight components and a synthetic song with its dance."""

import numpy as np
import pytest
import torch

from mumo.data.synthetic.music import synthesize_track
from mumo.data.synthetic.styles import STYLES
from mumo.lm import LMConfig, MusicMotionLM
from mumo.lm.tasks import Layout
from mumo.motion import compute_feature_stats, joints_to_features
from mumo.pipeline import Components, GenerationSettings, Pipeline
from mumo.tokenizers import MotionTokenizer, MusicTokenizer

from ..tokenizers.helpers import TINY_CODEC, TINY_MOTION, swaying_clip

TINY_LM = LMConfig(
    num_codebooks=2, cardinality=16, dim=32, num_heads=4, num_layers=1, ffn_dim=64, condition_dim=32,
    layout=Layout.GIVEN_FULL,
)  # fmt: skip
WINDOW_S = 1.0
"""Training window of the tiny components: inputs longer than this are generated window by window."""


def tiny_components(seed: int = 0) -> Components:
    torch.manual_seed(seed)
    stats = compute_feature_stats(joints_to_features(swaying_clip(120, seed=i)) for i in range(3))
    return Components(
        MusicMotionLM(TINY_LM),
        MusicTokenizer.create(TINY_CODEC).eval(),
        MotionTokenizer.create(TINY_MOTION, stats).eval(),
        GenerationSettings(window_s=WINDOW_S, source="random weights"),
    )


@pytest.fixture
def pipe() -> Pipeline:
    return Pipeline(tiny_components())


def synthetic_song(seconds: float = 2.5) -> np.ndarray:
    """Synthetic music ``[1, N]`` at 32 kHz."""
    return synthesize_track(STYLES[0], 120.0, seconds, np.random.default_rng(0)).audio


@pytest.fixture(scope="session")
def song() -> np.ndarray:
    """2.5 s of synthetic music ``[1, N]`` at 32 kHz."""
    return synthetic_song()
