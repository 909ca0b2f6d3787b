# The two commands of the README: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench gpu-check clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	# byte-compile on every core (pip does it on one, a third of the setup's time); as with pip, files written
	# for a newer Python (torch ships a few) are left uncompiled
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null || true
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mumo demo

# librosa compiles its numba kernels on first use and caches them beside the package; compiling them once
# here, in one process, keeps the parallel test workers from compiling into that cache at the same time.
NUMBA_WARM_UP := import numpy as np; from mumo.audio import detect_beats, detect_onsets; \
	x = np.random.default_rng(0).standard_normal(4 * 32000).astype("float32"); \
	detect_beats(x, 32000); detect_onsets(x, 32000)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -c '$(NUMBA_WARM_UP)'
	$(BIN)/python -m pytest -n 2 --durations=15 -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .

# every benchmark script (not their shared modules; the GPU check has its own target)
BENCHMARKS := $(filter-out bench/timing.py bench/lm_setups.py bench/gpu_check.py,$(wildcard bench/*.py))
bench: $(STAMP)
	for script in $(BENCHMARKS); do $(BIN)/python $$script || exit 1; done

# The GPU check runs on a bare CUDA machine with torch and transformers (no .venv): a copy of the repo is enough.
# With $(OUT) set (as on a lent device machine) it also writes $(OUT)/gpu_check.md and .json.
GPU_CHECK_ARGS ?= $(if $(OUT),--out $(OUT)/gpu_check.md)
gpu-check:
	PYTHONPATH=. PYTHONUNBUFFERED=1 python3 bench/gpu_check.py $(GPU_CHECK_ARGS)

clean:
	rm -rf $(VENV) outputs
