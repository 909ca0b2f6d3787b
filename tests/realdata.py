"""Real files made by other people (AIST++, HumanML3D, mocap BVH, songs), kept outside the repository.

They live in ``../shared/realdata`` beside the checkout (see its ``SOURCES.md``); tests that need one skip
when it is absent.
"""

from pathlib import Path

import pytest

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def realdata(relative: str) -> Path:
    """The path of a real data file, or skip the test when the folder (or the file) is not there."""
    path = REALDATA / relative
    if not path.is_file():
        pytest.skip(f"real data file {relative} not found under {REALDATA}")
    return path
