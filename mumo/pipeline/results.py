"""What generation returns: dances with their music, ready to save, render or score.

Every result holds ``B`` performances (``batch`` samples): joints ``[B, T, 22, 3]`` (metres, y up, at
``fps``) and audio ``[B, 1, N]`` (float32 at ``sample_rate`` Hz), plus the codes they come from. Which part
was generated is what the class says: :class:`DanceResult` (music → dance), :class:`MusicResult`
(dance → music), :class:`JointResult` (both).

``save(dir)`` writes, per performance::

    dance.npy            joints [T, 22, 3], metres, y up, 60 fps
    dance_features.npy   263-d features [T, 263]
    dance.bvh            the skeleton animation (opens in Blender)
    music.wav            the music, 16-bit PCM
    codes.npz            music_codes and motion_codes [K, T] at 50 Hz

into ``dir`` when ``B = 1``, else into ``dir/sample_i``. Files are written into a hidden folder beside
``dir`` and moved into place once all are complete, so an interrupted save leaves no file that looks whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mumo.audio import save as save_audio
from mumo.errors import MumoError
from mumo.files import temporary_folder
from mumo.motion import joints_to_features
from mumo.motion.bvh import write_bvh


@dataclass(frozen=True)
class Performance:
    """``B`` dances with their music (see the module docstring for shapes and files)."""

    joints: np.ndarray
    fps: float
    audio: np.ndarray
    sample_rate: int
    music_codes: np.ndarray
    motion_codes: np.ndarray

    def __len__(self) -> int:
        return len(self.joints)

    def __getitem__(self, index: int) -> Performance:
        """The ``index``-th performance as a result of batch size 1."""
        pick = [index]
        return replace(
            self, joints=self.joints[pick], audio=self.audio[pick], music_codes=self.music_codes[pick],
            motion_codes=self.motion_codes[pick],
        )  # fmt: skip

    @property
    def duration_s(self) -> float:
        """Length of the dance, seconds."""
        return self.joints.shape[1] / self.fps

    def save(self, directory: str | Path) -> list[Path]:
        """Write the files of every performance (see the module docstring); returns the paths written."""
        directory = Path(directory)
        with staging_folder(directory) as staging:
            names = [Path(".")] if len(self) == 1 else [Path(f"sample_{i}") for i in range(len(self))]
            for index, name in enumerate(names):
                self._write_one(index, staging / name)
            return publish(staging, directory)

    def render(
        self,
        path: str | Path,
        sample: int = 0,
        ground_truth: np.ndarray | None = None,
        title: str = "generated",
        on_frame: Callable[[int], None] | None = None,
    ) -> Path:
        """An MP4 of performance ``sample`` with its music (see :func:`mumo.motion.render.render_video`)."""
        from mumo.motion.render import render_video

        return render_video(
            path, self.joints[sample], fps=self.fps, audio=self.audio[sample], sample_rate=self.sample_rate,
            ground_truth=ground_truth, title=title, on_frame=on_frame,
        )  # fmt: skip

    def _write_one(self, index: int, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        joints = self.joints[index]
        np.save(folder / "dance.npy", joints.astype(np.float32))
        np.save(folder / "dance_features.npy", joints_to_features(joints, self.fps).astype(np.float32))
        write_bvh(joints, self.fps, folder / "dance.bvh")
        save_audio(folder / "music.wav", self.audio[index], self.sample_rate)
        np.savez(
            folder / "codes.npz", music_codes=self.music_codes[index], motion_codes=self.motion_codes[index]
        )


class DanceResult(Performance):
    """Dances generated for the given music."""


class MusicResult(Performance):
    """Music generated for the given dance."""


class JointResult(Performance):
    """Music and dance generated together."""


@contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """A hidden folder beside ``target`` to build files in before they are published (removed afterwards).

    Raises:
        MumoError: ``target`` or its parent cannot be written.
    """
    try:
        target.mkdir(parents=True, exist_ok=True)
        path = temporary_folder(target)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def ensure_writable(directory: str | Path) -> Path:
    """Create ``directory`` if needed and check that files can be written into it.

    Raises:
        MumoError: it cannot be created or written.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError as exc:
        raise _unwritable(directory, exc) from None
    return directory


def _unwritable(directory: Path, exc: OSError) -> MumoError:
    return MumoError(f"{directory}: cannot write here ({exc.strerror}); choose a writable output folder")


def publish(staging: Path, target: Path) -> list[Path]:
    """Move every file of ``staging`` to the same place under ``target``; returns the new paths."""
    moved = []
    for source in sorted(p for p in staging.rglob("*") if p.is_file()):
        destination = target / source.relative_to(staging)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)
        moved.append(destination)
    return moved
