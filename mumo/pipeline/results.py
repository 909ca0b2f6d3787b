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
``dir`` that replaces it once all are complete (:class:`mumo.files.OutputFolder`), so an interrupted save
leaves no file that looks whole and an existing folder is replaced only with ``overwrite=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mumo.audio import save as save_audio
from mumo.files import OutputFolder
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

    def save(self, directory: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the files of every performance (see the module docstring); returns the paths written.

        Raises:
            InputError: ``directory`` already holds files and ``overwrite`` is false, or cannot be written.
        """
        directory = Path(directory)
        with OutputFolder(directory, overwrite) as staging:
            names = self.write(staging)
        return [directory / name for name in names]

    def write(self, folder: Path) -> list[Path]:
        """Write the files of every performance into the existing ``folder`` (no staging); returns their
        paths relative to ``folder``."""
        subfolders = [Path(".")] if len(self) == 1 else [Path(f"sample_{i}") for i in range(len(self))]
        for index, name in enumerate(subfolders):
            self._write_one(index, folder / name)
        return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())

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
