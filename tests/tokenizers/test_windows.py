import itertools

import numpy as np
import torch

from mumo.tokenizers.windows import WindowBatches, random_windows


def test_random_windows_cut_from_the_signals_and_tile_short_ones():
    signals = [np.arange(10.0), np.arange(100.0, 103.0)]
    windows = random_windows(signals, 5, 20, np.random.default_rng(0))
    assert windows.shape == (20, 5)
    for window in windows:
        assert np.all(np.diff(window) == 1) or set(window) <= {100.0, 101.0, 102.0}


def test_batches_are_a_function_of_seed_and_step():
    signals = [np.random.default_rng(i).normal(size=(50, 3)) for i in range(4)]
    batches = WindowBatches(signals, 8, 2, seed=3)
    first = list(itertools.islice(batches, 5))
    assert all(batch.shape == (2, 8, 3) for batch in first)
    assert not torch.equal(first[0], first[1])
    resumed = WindowBatches(signals, 8, 2, seed=3, start=3)
    assert all(torch.equal(a, b) for a, b in zip(first[3:], itertools.islice(resumed, 2), strict=True))
    assert not torch.equal(WindowBatches(signals, 8, 2, seed=4).batch(0), first[0])
