"""KL-style divergences between reference and generated audio-classifier outputs (audioldm_eval formulas)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_softmax, softmax

KL_EPS = 1e-6
"""Added inside the generated distribution's logarithm, as in the reference."""


def kl_softmax(reference_logits: np.ndarray, generated_logits: np.ndarray) -> float:
    """Mean over pairs of ``sum_c p_c (log p_c - log(q_c + 1e-6))``, ``p = softmax(reference)``,
    ``q = softmax(generated)``; logits ``[N, C]`` paired row by row."""
    ref = np.asarray(reference_logits, dtype=np.float64)
    gen = np.asarray(generated_logits, dtype=np.float64)
    p = softmax(ref, axis=-1)
    terms = p * (log_softmax(ref, axis=-1) - np.log(softmax(gen, axis=-1) + KL_EPS))
    return float(terms.sum(axis=-1).mean())


def kl_sigmoid(reference_logits: np.ndarray, generated_logits: np.ndarray) -> float:
    """Mean over pairs of ``sum_c s_c (log s_c - log(t_c + 1e-6))`` with per-class sigmoids ``s`` (reference)
    and ``t`` (generated); no ``(1 - p)`` terms and no renormalisation, exactly as the reference (so not a
    true divergence: it can be negative for a pair)."""
    ref = np.asarray(reference_logits, dtype=np.float64)
    gen = np.asarray(generated_logits, dtype=np.float64)
    s = expit(ref)
    terms = np.where(s > 0, s * (np.log(np.where(s > 0, s, 1.0)) - np.log(expit(gen) + KL_EPS)), 0.0)
    return float(terms.sum(axis=-1).mean())
