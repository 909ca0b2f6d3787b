"""Suite-wide settings and fixtures: one torch thread per test process (``pytest -n 2`` already runs one
process per core; more threads per process only make the processes wait on each other), and a tiny dataset."""

from pathlib import Path

import pytest
import torch

from mumo.data.synthetic.build import build_synthetic_dataset

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """A synthetic mumo dataset of three 1-1.5 s clips (train, val and test splits)."""
    root = tmp_path_factory.mktemp("synth")
    build_synthetic_dataset(root, num_clips=3, seed=0, min_duration_s=1.0, max_duration_s=1.5)
    return root
