"""The three jobs of the web page as plain functions of files, with no web framework in them.

Each job reads its upload under the page's limits, generates with the one loaded model, writes the files of
``mumo generate`` (:meth:`~mumo.pipeline.Performance.save`) and a video into a new folder, and returns them
with the ``mumo generate`` command that gives the same files.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from mumo.motion.render import render_contact_sheet
from mumo.pipeline import Performance, Pipeline
from mumo.web.inputs import check_duration, read_dance, read_song
from mumo.web.settings import Settings
from mumo.web.workspace import Workspace

Progress = Callable[[float, str], None]
"""Called with the fraction done (0–1) of a stage and the stage's name."""
JOINT_DURATION_S = 10.0
"""Length of a joint generation without a duration, seconds (as ``mumo generate``)."""
VIDEO_FPS = 30
"""Frame rate of the videos, fps."""
CONTACT_SHEET_FRAMES = 8
"""Key frames on a dance's contact sheet."""


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server.

    Attributes:
        max_seconds: longest song or dance read, and longest piece generated, seconds.
        max_upload_mb: largest upload, megabytes.
        queue_size: requests waiting at most; one generates at a time.
    """

    max_seconds: float = 300.0
    max_upload_mb: float = 50.0
    queue_size: int = 8


@dataclass(frozen=True)
class Generated:
    """The files of one generation (named as :meth:`~mumo.pipeline.Performance.save` names them) and the
    ``mumo generate`` command that reproduces them."""

    folder: Path
    command: str

    @property
    def video(self) -> Path:
        """MP4 of the skeleton with the music."""
        return self.folder / "video.mp4"

    @property
    def bvh(self) -> Path:
        """The dance as a BVH animation (SMPL22 skeleton)."""
        return self.folder / "dance.bvh"

    @property
    def joints(self) -> Path:
        """Joints ``[T, 22, 3]``, metres, y up, 60 fps."""
        return self.folder / "dance.npy"

    @property
    def music(self) -> Path:
        """The music, 16-bit PCM WAV."""
        return self.folder / "music.wav"

    @property
    def contact_sheet(self) -> Path:
        """PNG of key frames (music → dance only)."""
        return self.folder / "contact_sheet.png"


def _quiet(fraction: float, stage: str) -> None:
    """A :data:`Progress` that shows nothing."""


class Jobs:
    """Music → dance, dance → music and joint generation with one loaded model.

    Args:
        pipe: the model.
        checkpoint: where it was loaded from (for the reproducing command).
        workspace: where uploads arrive and each job gets a new folder (the ``keep`` newest are kept).
        limits: see :class:`Limits`.
    """

    def __init__(
        self,
        pipe: Pipeline,
        checkpoint: Path,
        workspace: Workspace,
        limits: Limits | None = None,
        keep: int = 16,
    ) -> None:
        self.pipe = pipe
        self.checkpoint = Path(checkpoint).resolve()
        self.workspace = workspace
        self.limits = limits or Limits()
        self._folders: deque[Path] = deque()
        self._keep = keep

    def dance(
        self, song: Path, motion_text: str, settings: Settings, progress: Progress = _quiet
    ) -> Generated:
        """A dance for ``song`` (WAV, MP3, OGG or FLAC), with its video and contact sheet.

        Raises:
            AudioError: an unusable song (empty, cut off, not audio, silent, shorter than the duration).
            AudioError, InputError: a song or duration beyond :attr:`Limits.max_seconds`.
        """
        settings = self._checked(settings)
        audio = read_song(song, self.pipe.sample_rate, self.limits.max_seconds)
        result = self.pipe.dance(
            audio, self.pipe.sample_rate, motion_text=motion_text, duration_s=settings.duration_s,
            progress=lambda f: progress(f, "decoding"), **settings.sampling(),
        )  # fmt: skip
        inputs = {"--music": self._shown(song), "--motion-text": motion_text}
        generated = self._finish(result, settings.command(self.checkpoint, inputs, "out"), progress)
        render_contact_sheet(
            generated.contact_sheet, result.joints[0], result.fps, CONTACT_SHEET_FRAMES, "generated dance"
        )
        return generated

    def music(
        self, dance: Path, music_text: str, settings: Settings, fps: float = 60.0, progress: Progress = _quiet
    ) -> Generated:
        """Music for ``dance`` (a ``.bvh``, or a ``.npy`` of joints at ``fps``), with the video.

        Raises:
            MotionError: an unusable dance (another skeleton, wrong shape, non-finite, too short).
            InputError: a dance or duration beyond :attr:`Limits.max_seconds`.
        """
        settings = self._checked(settings)
        joints, fps = read_dance(dance, fps, self.limits.max_seconds)
        result = self.pipe.music(
            joints, fps, music_text=music_text, duration_s=settings.duration_s,
            progress=lambda f: progress(f, "decoding"), **settings.sampling(),
        )  # fmt: skip
        inputs = {"--motion": self._shown(dance), "--music-text": music_text}
        if Path(dance).suffix.lower() == ".npy":
            inputs["--motion-fps"] = repr(float(fps))
        return self._finish(result, settings.command(self.checkpoint, inputs, "out"), progress)

    def joint(
        self, music_text: str, motion_text: str, settings: Settings, progress: Progress = _quiet
    ) -> Generated:
        """Music and a dance together, ``settings.duration_s`` seconds (default 10), with the video.

        Raises:
            InputError: a duration under 1 s or beyond :attr:`Limits.max_seconds`.
        """
        settings = self._checked(settings)
        duration_s = settings.duration_s or JOINT_DURATION_S
        result = self.pipe.joint(
            duration_s, music_text=music_text, motion_text=motion_text,
            progress=lambda f: progress(f, "decoding"), **settings.sampling(),
        )  # fmt: skip
        inputs = {"--music-text": music_text, "--motion-text": motion_text}
        return self._finish(result, settings.command(self.checkpoint, inputs, "out"), progress)

    def _checked(self, settings: Settings) -> Settings:
        """``settings`` with a duration of 0 read as none (the whole input).

        Raises:
            InputError: a duration beyond :attr:`Limits.max_seconds`.
        """
        return replace(settings, duration_s=check_duration(settings.duration_s, self.limits.max_seconds))

    def _finish(self, result: Performance, command: str, progress: Progress) -> Generated:
        """Save ``result`` with its video into a new folder."""
        generated = Generated(self._new_folder(), command)
        result.save(generated.folder)
        frames = max(int(result.duration_s * VIDEO_FPS), 1)
        result.render(generated.video, on_frame=lambda index: progress((index + 1) / frames, "rendering"))
        return generated

    def _new_folder(self) -> Path:
        """An empty folder for one job; the oldest is removed when more than ``keep`` exist."""
        self.workspace.jobs.mkdir(parents=True, exist_ok=True)
        self._folders.append(Path(tempfile.mkdtemp(prefix="job-", dir=self.workspace.jobs)))
        while len(self._folders) > self._keep:
            shutil.rmtree(self._folders.popleft(), ignore_errors=True)
        return self._folders[-1]

    def _shown(self, path: Path) -> str:
        """How the command names an input: an upload (the server's copy) by its file name, which the user
        has; any other file (a demo clip) by its full path."""
        path = Path(path).resolve()
        return path.name if path.is_relative_to(self.workspace.uploads.resolve()) else str(path)
