"""Settings for every test process."""

import os
import tempfile

# librosa's numba kernels cache their compiled code next to the installed package; several pytest-xdist
# workers compiling into that one cache at once on a fresh environment can corrupt it and crash a worker.
# Each test process therefore gets a numba cache of its own.
os.environ.setdefault("NUMBA_CACHE_DIR", tempfile.mkdtemp(prefix="mumo-numba-cache-"))
