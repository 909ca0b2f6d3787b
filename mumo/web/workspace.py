"""The temporary folder the web page owns: every upload and every generated file is written under it, and
it is removed when the server stops."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workspace:
    """A folder with ``uploads/`` (the files sent to the page) and ``jobs/`` (one folder per generation)."""

    root: Path

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def jobs(self) -> Path:
        return self.root / "jobs"


@contextmanager
def workspace() -> Iterator[Workspace]:
    """A new :class:`Workspace` in the system's temporary folder, removed on exit.

    The web framework is told to keep its uploads there and to send no usage statistics
    (``GRADIO_TEMP_DIR``, ``GRADIO_ANALYTICS_ENABLED``; read when it is imported, so enter this first).
    """
    space = Workspace(Path(tempfile.mkdtemp(prefix="mumo-serve-")))
    space.uploads.mkdir()
    space.jobs.mkdir()
    saved = {name: os.environ.get(name) for name in ("GRADIO_TEMP_DIR", "GRADIO_ANALYTICS_ENABLED")}
    os.environ["GRADIO_TEMP_DIR"] = str(space.uploads)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    try:
        yield space
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(space.root, ignore_errors=True)
