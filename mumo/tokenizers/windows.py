"""Training batches of tokenizers: random fixed-length windows cut from a list of signals.

Batch ``i`` is a pure function of ``(seed, i)``, so a training resumed at step ``i`` sees exactly the
batches an uninterrupted one would have seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch


def random_windows(
    signals: list[np.ndarray], length: int, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` windows of ``length`` steps along axis 0, each from a random signal at a random offset
    (signals shorter than ``length`` are tiled). Returns ``[count, length, ...]``."""
    windows = []
    for index in rng.integers(len(signals), size=count):
        signal = signals[index]
        if len(signal) < length:
            signal = np.concatenate([signal] * (length // len(signal) + 1))
        offset = rng.integers(len(signal) - length + 1)
        windows.append(signal[offset : offset + length])
    return np.stack(windows)


class WindowBatches:
    """An endless iterable of batches ``to_batch(random_windows(...))`` for steps ``start, start + 1, ...``.

    Args:
        signals: the signals to cut windows from, time along axis 0 (feature frames or audio samples).
        length: window length in steps of the signals.
        batch_size: windows per batch.
        seed: seed of the sampling; batch ``i`` draws from ``numpy.random.default_rng((seed, i))``.
        start: index of the first batch (the optimiser step a resumed training continues from).
        to_batch: turns the ``[B, length, ...]`` array into the model's input tensor.
    """

    def __init__(
        self,
        signals: list[np.ndarray],
        length: int,
        batch_size: int,
        seed: int,
        start: int = 0,
        to_batch: Callable[[np.ndarray], torch.Tensor] = torch.from_numpy,
    ) -> None:
        self.signals = signals
        self.length = length
        self.batch_size = batch_size
        self.seed = seed
        self.start = start
        self.to_batch = to_batch

    def batch(self, step: int) -> torch.Tensor:
        """The batch of optimiser step ``step``."""
        rng = np.random.default_rng((self.seed, step))
        return self.to_batch(random_windows(self.signals, self.length, self.batch_size, rng))

    def __iter__(self) -> Iterator[torch.Tensor]:
        step = self.start
        while True:
            yield self.batch(step)
            step += 1
