"""Suite-wide settings: one torch thread per test process (``pytest -n 2`` already runs one process per core;
more threads per process only make the processes wait on each other)."""

import torch

torch.set_num_threads(1)
