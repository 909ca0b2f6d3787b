"""Wall-clock timing shared by the benchmark scripts (run them as ``python bench/<script>.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch


def median_seconds(
    function: Callable[[], object], repeats: int = 1, device: str = "cpu", warm_up: bool = False
) -> float:
    """Median wall time of ``function()`` over ``repeats`` calls, seconds.

    Args:
        function: the work to time.
        repeats: timed calls.
        device: ``cuda...`` synchronises the GPU before and after each call so its queued work is counted.
        warm_up: make one untimed call first (lazy initialisation, caches, kernel selection).
    """
    if warm_up:
        function()
    times = []
    for _ in range(repeats):
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        function()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
