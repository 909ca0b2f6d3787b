"""Style accuracy: does a generated dance move like the style of the music it was made for?

A multinomial logistic regression on z-normalised kinetic features (the ``fid_k`` features, see
:mod:`mumo.metrics.dance_features`) is fitted on ground-truth dances with known style labels, cut into
windows as long as the clips it will judge (kinetic features are averages over a clip, so their spread
depends on its length). Each generated dance is assigned the most probable style, and the score is the
fraction assigned the style of its music. Chance is ``1 / number of styles``; the classifier's accuracy on
held-out ground-truth dances is the ceiling to read a model's score against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from mumo.errors import DataError

NORMALISATION_EPS = 1e-8
L2_WEIGHT = 1e-3
"""Weight of the squared-weights penalty (features are z-normalised): the value with the best held-out
accuracy on the synthetic dataset's validation split among 1e-3, 1e-2 and 1e-1."""
LBFGS_ITERATIONS = 200


@dataclass(frozen=True)
class StyleClassifier:
    """A linear softmax classifier over z-normalised features.

    Attributes:
        styles: the style labels, one per output class.
        weights: ``[D, C]``; ``bias``: ``[C]``.
        mean, std: ``[D]`` statistics of the training features.
    """

    styles: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, features: np.ndarray, labels: Sequence[str]) -> StyleClassifier:
        """Fit on ``features`` ``[N, D]`` with one style label per row (deterministic: L-BFGS from zeros).

        Raises:
            DataError: fewer than two styles, or a row count that does not match the labels.
        """
        features = np.asarray(features, dtype=np.float64)
        if len(features) != len(labels):
            raise DataError(f"{len(features)} feature rows but {len(labels)} style labels")
        styles = tuple(sorted(set(labels)))
        if len(styles) < 2:
            raise DataError(f"style accuracy needs at least two styles in the ground truth, got {styles}")
        mean, std = features.mean(axis=0), features.std(axis=0)
        z = torch.from_numpy((features - mean) / (std + NORMALISATION_EPS))
        targets = torch.tensor([styles.index(label) for label in labels])
        weights = torch.zeros(z.shape[1], len(styles), dtype=torch.float64, requires_grad=True)
        bias = torch.zeros(len(styles), dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.LBFGS([weights, bias], max_iter=LBFGS_ITERATIONS)

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = F.cross_entropy(z @ weights + bias, targets) + L2_WEIGHT * weights.pow(2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        return cls(styles, weights.detach().numpy(), bias.detach().numpy(), mean, std)

    def predict(self, features: np.ndarray) -> list[str]:
        """The style of each row of ``features`` ``[N, D]``."""
        z = (np.asarray(features, dtype=np.float64) - self.mean) / (self.std + NORMALISATION_EPS)
        return [self.styles[i] for i in (z @ self.weights + self.bias).argmax(axis=1)]

    def accuracy(self, features: np.ndarray, labels: Sequence[str]) -> float:
        """Fraction of rows of ``features`` ``[N, D]`` predicted as their label (0..1)."""
        if len(features) != len(labels):
            raise DataError(f"{len(features)} feature rows but {len(labels)} style labels")
        predicted = self.predict(features)
        return float(np.mean([p == t for p, t in zip(predicted, labels, strict=True)]))


def windows(joints: np.ndarray, length: int, hop: int) -> list[np.ndarray]:
    """Windows ``[length, J, 3]`` of a clip ``[T, J, 3]`` every ``hop`` frames (none if it is shorter)."""
    return [joints[start : start + length] for start in range(0, len(joints) - length + 1, hop)]
