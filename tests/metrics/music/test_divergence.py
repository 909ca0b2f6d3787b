import numpy as np
import pytest

from mumo.metrics.music.divergence import kl_sigmoid, kl_softmax


def test_identical_logits_give_zero():
    logits = np.array([[0.1, 2.0, -1.0], [1.0, 0.0, 0.5]])
    # only the 1e-6 guard inside the generated log keeps these from being exactly 0
    assert kl_softmax(logits, logits) == pytest.approx(0.0, abs=1e-5)
    assert kl_sigmoid(logits, logits) == pytest.approx(0.0, abs=1e-5)


def test_softmax_kl_closed_form_and_direction():
    reference = np.array([[0.1, 2.0, -1.0]])
    p = np.exp(reference[0]) / np.exp(reference[0]).sum()
    q = np.full(3, 1 / 3)
    expected = float(np.sum(p * (np.log(p) - np.log(q + 1e-6))))
    assert kl_softmax(reference, np.zeros((1, 3))) == pytest.approx(expected, rel=1e-9)
    reverse = float(np.sum(q * (np.log(q) - np.log(p + 1e-6))))
    assert kl_softmax(np.zeros((1, 3)), reference) == pytest.approx(reverse, rel=1e-9)


def test_sigmoid_kl_has_no_complement_terms_and_averages_pairs():
    reference = np.array([[0.0, 3.0], [-2.0, 1.0]])
    generated = np.array([[1.0, 0.0], [0.5, -1.0]])
    s, t = 1 / (1 + np.exp(-reference)), 1 / (1 + np.exp(-generated))
    per_pair = np.sum(s * (np.log(s) - np.log(t + 1e-6)), axis=1)
    assert kl_sigmoid(reference, generated) == pytest.approx(per_pair.mean(), rel=1e-12)
    # not a true divergence: a pair can score below zero
    assert kl_sigmoid(np.array([[0.0]]), np.array([[5.0]])) < 0
