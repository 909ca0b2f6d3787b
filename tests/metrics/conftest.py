import numpy as np
import pytest


def make_motion(k: int, num_frames: int, fps: float = 60.0) -> np.ndarray:
    """The closed-form golden motion generator of the metric reference (y up, [T, 24, 3])."""
    j = np.arange(24)
    rest = np.stack([0.25 * np.sin(0.9 * j + 0.3), 0.9 * np.cos(0.37 * j), 0.1 * np.sin(1.3 * j + 1.1)], -1)
    amp = 0.05 + 0.03 * (k % 7)
    freq = 0.5 + 0.25 * ((7 * j + k) % 11)
    phase = 0.5 * j[:, None] + 1.3 * np.arange(3)[None, :] + 0.7 * k
    t = np.arange(num_frames)[:, None, None]
    motion = rest[None] + amp * np.sin(2 * np.pi * freq[None, :, None] * t / fps + phase[None])
    motion[:, :, 0] += 0.001 * (k % 5) * np.arange(num_frames)[:, None]
    return motion


@pytest.fixture(scope="session")
def golden_motion():
    return make_motion
