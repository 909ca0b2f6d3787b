"""On-disk cache of per-clip dance features, keyed by the joints' content and the metric code version."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mumo.files import temporary_file
from mumo.metrics.dance import DanceFeatures, extract_features

FEATURE_CODE_VERSION = "dance-features-v1"
"""Bump when kinetic/manual feature code changes, so stale cached features are never reused."""


def clip_key(joints: np.ndarray, subtract_start: bool = True) -> str:
    """SHA-256 of the joints (float64 bytes and shape), the preprocessing and :data:`FEATURE_CODE_VERSION`."""
    array = np.ascontiguousarray(joints, dtype=np.float64)
    digest = hashlib.sha256()
    digest.update(f"{FEATURE_CODE_VERSION}|{array.shape}|{subtract_start}".encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


class FeatureCache:
    """Kinetic and manual features of ground-truth clips, one ``.npz`` per clip under ``directory``."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.computed = 0
        """Number of clips whose features this cache had to compute (the rest were read back)."""

    def features(self, clips: Sequence[np.ndarray], subtract_start: bool = True) -> DanceFeatures:
        """Features of ``clips`` ``[T, J, 3]``, computing and storing only those not cached yet."""
        kinetic, manual = [], []
        for clip in clips:
            path = self.directory / f"{clip_key(clip, subtract_start)}.npz"
            if path.is_file():
                with np.load(path) as stored:
                    kinetic.append(stored["kinetic"])
                    manual.append(stored["manual"])
                continue
            computed = extract_features([clip], subtract_start=subtract_start)
            self._write(path, computed)
            self.computed += 1
            kinetic.append(computed.kinetic[0])
            manual.append(computed.manual[0])
        return DanceFeatures(np.stack(kinetic), np.stack(manual))

    def _write(self, path: Path, features: DanceFeatures) -> None:
        tmp = temporary_file(path, suffix=".npz")
        np.savez(tmp, kinetic=features.kinetic[0], manual=features.manual[0])
        os.replace(tmp, path)
