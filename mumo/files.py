"""Files written atomically: built under a hidden temporary name beside their target, then renamed into place.

:class:`OutputFolder` extends the rule to a whole folder of outputs, with a lock against concurrent writers.

The temporary files and folders get the permissions a plainly created file or folder would get (the
process's umask applies), unlike :mod:`tempfile`'s private 0600/0700 defaults.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from mumo.checks import writable_folder
from mumo.errors import InputError


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


def check_output_folder(target: str | Path, overwrite: bool = False) -> Path:
    """Check, before any work, that :class:`OutputFolder` can write ``target`` (nothing is created).

    Raises:
        InputError: ``target`` is a file, cannot be written, holds files and ``overwrite`` is false, or
            another process is writing into it.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: is a file; give a folder for the output")
    writable_folder(target, "the output folder")
    if not overwrite and target.is_dir() and any(target.iterdir()):
        count = sum(1 for _ in target.iterdir())
        raise InputError(
            f"{target}: already holds {count} file(s) or folder(s); pass --overwrite (overwrite=True) to "
            "replace them, or choose a new folder"
        )
    owner = _lock_owner(_lock_path(target))
    if owner is not None:
        raise _busy(target, owner)
    return target


class OutputFolder:
    """An output folder whose files appear all at once, complete.

    Used as ``with OutputFolder(target, overwrite) as staging: ...write into staging...``: the files are
    built in a hidden folder beside ``target`` and replace ``target`` as a whole when the block ends
    without an error (files of an earlier run there are removed, not mixed with the new ones). On an error
    nothing of the run is left and ``target`` keeps what it held. A lock file beside ``target`` refuses a
    second process writing into the same folder meanwhile.

    Args:
        target: the folder to write.
        overwrite: allow replacing a folder that already holds files.
    """

    def __init__(self, target: str | Path, overwrite: bool = False) -> None:
        self.target = Path(target)
        self.overwrite = overwrite
        self._lock: Path | None = None
        self._staging: Path | None = None

    def __enter__(self) -> Path:
        check_output_folder(self.target, self.overwrite)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire_lock(self.target)
        try:
            self._staging = temporary_folder(self.target)
        except BaseException:
            self._release()
            raise
        return self._staging

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        assert self._staging is not None
        try:
            if exc_type is None:
                self._publish(self._staging)
        finally:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._release()

    def _publish(self, staging: Path) -> None:
        if not self.target.exists():
            os.replace(staging, self.target)
            return
        previous = self.target.parent / f".{self.target.name}.replaced.{os.getpid()}"
        os.replace(self.target, previous)
        try:
            os.replace(staging, self.target)
        except BaseException:
            os.replace(previous, self.target)
            raise
        shutil.rmtree(previous, ignore_errors=True)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.unlink(missing_ok=True)
            self._lock = None


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _lock_owner(lock: Path) -> int | None:
    """The pid of the live process holding ``lock``, or None (no lock, or one left by a dead process)."""
    try:
        pid = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _busy(target: Path, owner: int) -> InputError:
    return InputError(f"{target}: another mumo process (pid {owner}) is writing into it; wait for it to end")


def _acquire_lock(target: Path) -> Path:
    lock = _lock_path(target)
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666 & ~_umask())
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is not None:
                raise _busy(target, owner) from None
            lock.unlink(missing_ok=True)  # left by a process that died
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        return lock
    raise InputError(f"{target}: could not take the lock {lock}; remove it if no mumo process is running")
