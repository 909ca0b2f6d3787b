import numpy as np
import pytest

RATE = 16_000


def make_tone(freq: float, seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    """A 16 kHz sine with a little seeded noise, ``[1, N]`` float32."""
    t = np.arange(int(seconds * RATE)) / RATE
    noise = np.random.default_rng(seed).normal(0, 0.01, t.size)
    return (0.4 * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)[None]


@pytest.fixture(scope="session")
def tone():
    return make_tone
