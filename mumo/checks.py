"""Checks of the values a user gives, run at the edge before any work starts.

The command line and the Python API call the same functions, so ``mumo generate --guidance nan`` and
``pipe.dance(..., guidance=float("nan"))`` fail with the same one-line :class:`~mumo.errors.InputError`,
before a model is loaded or an output folder is created.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import torch

from mumo.errors import InputError

MEMORY_HEADROOM = 0.8
"""Share of the available memory a piece of work may plan to use."""


def number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
) -> float:
    """``value`` as a finite float in ``[minimum, maximum]`` (and ``> above`` when given).

    Raises:
        InputError: not a number, NaN or infinite, or out of range (the message names ``name``).
    """
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(result):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and result < minimum:
        raise InputError(f"{name} must be at least {minimum:g}, got {result:g}")
    if above is not None and result <= above:
        raise InputError(f"{name} must be greater than {above:g}, got {result:g}")
    if maximum is not None and result > maximum:
        raise InputError(f"{name} must be at most {maximum:g}, got {result:g}")
    return result


def integer(value: object, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``; a float is accepted only when it is whole.

    Raises:
        InputError: not a whole number, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(f"{name} must be a whole number, got {value!r}")
    try:
        as_float = float(value)
    except ValueError:
        raise InputError(f"{name} must be a whole number, got {value!r}") from None
    if not math.isfinite(as_float) or as_float != int(as_float):
        raise InputError(f"{name} must be a whole number, got {value!r}")
    result = int(as_float)
    if minimum is not None and result < minimum:
        raise InputError(f"{name} must be at least {minimum}, got {result}")
    if maximum is not None and result > maximum:
        raise InputError(f"{name} must be at most {maximum}, got {result}")
    return result


def input_file(path: str | Path, what: str) -> Path:
    """``path`` after checking it is a readable, non-empty file.

    Raises:
        InputError: missing, a folder, empty or unreadable.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the {what} file")
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: {what} is not readable (check its permissions)")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: {what} is empty (0 bytes)")
    return path


def output_file(path: str | Path, what: str, suffixes: tuple[str, ...] = ()) -> Path:
    """``path`` after checking a file can be written there: not a folder, with one of ``suffixes`` (when
    given), in a folder that exists or can be created and is writable.

    Raises:
        InputError: naming what is wrong.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name for the {what}")
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(f"{path}: the {what} must end in {' or '.join(suffixes)}")
    writable_folder(path.parent, f"the folder of the {what}")
    return path


def writable_folder(path: str | Path, what: str) -> Path:
    """``path`` after checking it is, or can be created as, a writable folder (nothing is created).

    Raises:
        InputError: it is a file, or it (or the first existing folder above it) cannot be written.
    """
    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{existing}: is a file, so {what} {path} cannot be created there")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(
            f"{existing}: cannot write here (permission denied); choose a writable place for {what}"
        )
    return path


def device(name: str) -> torch.device:
    """The torch device called ``name`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``), after checking it exists.

    Raises:
        InputError: an unknown device name, or a device this machine does not have.
    """
    try:
        result = torch.device(name)
    except (RuntimeError, TypeError):
        raise InputError(f"unknown device {name!r}; use cpu, cuda or cuda:N") from None
    if result.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = result.index or 0
        if index >= count:
            raise InputError(f"device {name!r} is not available: this machine has {count} CUDA device(s)")
    elif result.type == "mps" and not torch.backends.mps.is_available():
        raise InputError(f"device {name!r} is not available on this machine")
    elif result.type not in ("cpu", "cuda", "mps"):
        raise InputError(f"device {name!r} is not supported; use cpu, cuda or cuda:N")
    return result


def available_memory_bytes() -> int:
    """Memory the process may still allocate on the CPU, bytes (``MemAvailable`` of ``/proc/meminfo``, else
    the free physical pages)."""
    try:
        with open("/proc/meminfo") as lines:
            for line in lines:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def fits_in_memory(num_bytes: float, what: str, target: torch.device | None = None) -> None:
    """Refuse work planned to use ``num_bytes`` when that exceeds :data:`MEMORY_HEADROOM` of the memory
    available on ``target`` (the CPU by default; a CUDA device's free memory otherwise).

    Raises:
        InputError: naming the estimate and what is available, and how to make the work smaller.
    """
    if target is not None and target.type == "cuda":
        available = torch.cuda.mem_get_info(target)[0]
    else:
        available = available_memory_bytes()
    if num_bytes > MEMORY_HEADROOM * available:
        raise InputError(
            f"{what} needs about {_gib(num_bytes)} of memory but {_gib(available)} is available; "
            "ask for a smaller batch or a shorter duration"
        )


def _gib(num_bytes: float) -> str:
    return f"{num_bytes / 2**30:.1f} GiB" if num_bytes >= 2**27 else f"{num_bytes / 2**20:.0f} MiB"
