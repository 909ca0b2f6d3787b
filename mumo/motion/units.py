"""Recognising the length unit of motion data from the size of the body it describes."""

from __future__ import annotations

import numpy as np

RECOGNISED_UNITS = (1.0, 100.0, 1000.0)
"""Units per metre told apart: metres, centimetres, millimetres."""


def recognise_unit(measured: float, expected_m: float) -> float:
    """The unit (per metre) that makes a body measurement closest to its adult size.

    Args:
        measured: a body length in the data's own unit (e.g. the median ankle-to-head length along the bones).
        expected_m: the same length on an average adult, metres.

    Returns:
        1 (metres), 100 (centimetres) or 1000 (millimetres): divide the data by it to get metres.
    """
    return min(RECOGNISED_UNITS, key=lambda unit: abs(np.log(measured / unit / expected_m + 1e-12)))
