"""Files written atomically: built under a hidden temporary name beside their target, then renamed into place.

The temporary files and folders get the permissions a plainly created file or folder would get (the
process's umask applies), unlike :mod:`tempfile`'s private 0600/0700 defaults.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temporary_file(target: str | Path, suffix: str = "") -> Path:
    """An empty file in ``target``'s folder, to be renamed onto ``target`` with :func:`os.replace`."""
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_umask())
    return Path(name)


def temporary_folder(target: str | Path) -> Path:
    """An empty folder beside ``target``, to be renamed onto it or emptied into it."""
    target = Path(target)
    name = tempfile.mkdtemp(prefix=f".{target.name}.partial.", dir=target.parent)
    os.chmod(name, 0o777 & ~_umask())
    return Path(name)


def write_text_atomically(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that readers see either the old file or the complete new one."""
    path = Path(path)
    tmp = temporary_file(path)
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
