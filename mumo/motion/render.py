"""Render dances: an MP4 of the animated skeleton (optionally beside the ground truth) with the music muxed
in, and a contact-sheet PNG of key frames.

The view is a perspective-free 3/4 projection from a camera that follows the root horizontally, over a floor
grid, with the skeleton's shadow on the floor as a depth cue; left limbs are blue, right limbs red. Frames
are drawn once with matplotlib (Agg), then only the line data changes; RGB frames stream into ffmpeg
(from imageio-ffmpeg) through a pipe.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import imageio_ffmpeg
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from mumo.audio import save as save_audio
from mumo.errors import MotionError, MumoError
from mumo.files import temporary_file
from mumo.motion.skeleton import SMPL22

AZIMUTH_DEG = 35.0
ELEVATION_DEG = 15.0
VIEW_HALF_WIDTH_M = 1.3
FLOOR_EXTENT_M = 3.0
LEFT_COLOR, RIGHT_COLOR, CENTER_COLOR, SHADOW_COLOR = "#2f6fd6", "#d63b2f", "#333333", "#bbbbbb"


def _project(points: np.ndarray, center: np.ndarray) -> np.ndarray:
    """3/4 view of ``[..., 3]`` points (y up) around ``center`` ``[3]`` → screen ``[..., 2]`` in metres."""
    azimuth, elevation = np.deg2rad(AZIMUTH_DEG), np.deg2rad(ELEVATION_DEG)
    rel = points - center
    x = rel[..., 0] * np.cos(azimuth) - rel[..., 2] * np.sin(azimuth)
    depth = rel[..., 0] * np.sin(azimuth) + rel[..., 2] * np.cos(azimuth)
    y = rel[..., 1] * np.cos(elevation) - depth * np.sin(elevation)
    return np.stack([x, y], axis=-1)


def _bone_colors(joint_names: Sequence[str]) -> list[str]:
    return [
        LEFT_COLOR if name.startswith("left") else RIGHT_COLOR if name.startswith("right") else CENTER_COLOR
        for name in joint_names
    ]


class _Panel:
    """One skeleton view: floor grid, shadow and bones, each one line collection updated per frame."""

    def __init__(self, axis: plt.Axes, joints: np.ndarray, title: str) -> None:
        self.axis = axis
        self.joints = joints
        self.parents = np.asarray(SMPL22.parents[1:])
        self.children = np.arange(1, SMPL22.num_joints)
        axis.set_xlim(-VIEW_HALF_WIDTH_M, VIEW_HALF_WIDTH_M)
        axis.set_ylim(-0.7, 2.0)
        axis.set_aspect("equal")
        axis.axis("off")
        axis.set_title(title, fontsize=10)
        self.grid = axis.add_collection(LineCollection([], colors="#e4e4e4", linewidths=0.8, zorder=0))
        self.shadow = axis.add_collection(
            LineCollection([], colors=SHADOW_COLOR, linewidths=3, capstyle="round", zorder=1)
        )
        self.bones = axis.add_collection(
            LineCollection(
                [], colors=_bone_colors(SMPL22.joint_names)[1:], linewidths=3, capstyle="round", zorder=2
            )
        )
        ticks = np.arange(-FLOOR_EXTENT_M, FLOOR_EXTENT_M + 1e-6, 0.5)
        ends = np.full(len(ticks), FLOOR_EXTENT_M)
        along_z = np.stack([np.stack([ticks, -ends], -1), np.stack([ticks, ends], -1)], axis=1)  # [N, 2, 2]
        self.floor_lines = np.concatenate([along_z, along_z[..., ::-1]])  # x/z segments of the floor grid

    def draw(self, frame: int) -> None:
        pose = self.joints[frame]
        center = np.array([pose[0, 0], 0.0, pose[0, 2]])
        base = np.round(center[[0, 2]] / 0.5) * 0.5  # the grid moves in whole cells, so it seems to stay put
        grid = self.floor_lines + base
        grid = np.stack([grid[..., 0], np.zeros(grid.shape[:2]), grid[..., 1]], axis=-1)
        self.grid.set_segments(_project(grid, center))
        screen = _project(pose, center)
        floor = pose.copy()
        floor[:, 1] = 0.0
        shadow = _project(floor, center)
        self.bones.set_segments(np.stack([screen[self.parents], screen[self.children]], axis=1))
        self.shadow.set_segments(np.stack([shadow[self.parents], shadow[self.children]], axis=1))


def _figure(
    clips: Sequence[np.ndarray], titles: Sequence[str], size_px: int
) -> tuple[plt.Figure, list[_Panel]]:
    dpi = 100
    figure, axes = plt.subplots(1, len(clips), figsize=(size_px * len(clips) / dpi, size_px / dpi), dpi=dpi)
    axes = np.atleast_1d(axes)
    figure.subplots_adjust(left=0, right=1, bottom=0, top=0.93, wspace=0)
    return figure, [_Panel(a, c, t) for a, c, t in zip(axes, clips, titles, strict=True)]


def _check(joints: np.ndarray) -> np.ndarray:
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (22, 3):
        raise MotionError(f"rendering needs SMPL22 joints [T, 22, 3], got shape {joints.shape}")
    if not np.isfinite(joints).all():
        raise MotionError("cannot render joints with NaN or Inf")
    return joints


def render_video(
    path: str | Path,
    joints: np.ndarray,
    fps: float = 60.0,
    audio: np.ndarray | None = None,
    sample_rate: int = 32_000,
    ground_truth: np.ndarray | None = None,
    title: str = "generated",
    video_fps: int = 30,
    size_px: int = 360,
    on_frame: Callable[[int], None] | None = None,
) -> Path:
    """Write an MP4 of ``joints`` ``[T, 22, 3]`` (metres, y up, ``fps``) with ``audio`` ``[1, N]`` muxed in.

    Args:
        ground_truth: optional second clip shown on the right.
        video_fps: frames per second of the video (frames are sampled from the motion).
        on_frame: called after each video frame (progress display).

    The file is written under a temporary name and renamed when complete.
    """
    path = Path(path)
    clips = [_check(joints)] + ([_check(ground_truth)] if ground_truth is not None else [])
    titles = [title] + (["ground truth"] if ground_truth is not None else [])
    num_video_frames = int(len(clips[0]) / fps * video_fps)
    figure, panels = _figure(clips, titles, size_px)
    width, height = figure.canvas.get_width_height()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        silent = str(temporary_file(path, suffix=".mp4"))
    except OSError as exc:
        plt.close(figure)
        raise MumoError(f"{path.parent}: cannot write the video here ({exc.strerror})") from None
    try:
        writer = imageio_ffmpeg.write_frames(
            silent, (width, height), fps=video_fps, codec="libx264", pix_fmt_out="yuv420p",
            macro_block_size=1, output_params=["-preset", "veryfast", "-crf", "23"],
        )  # fmt: skip
        writer.send(None)
        for index in range(num_video_frames):
            frame = min(int(index * fps / video_fps), len(clips[0]) - 1)
            for panel in panels:
                panel.draw(min(frame, len(panel.joints) - 1))
            figure.canvas.draw()
            writer.send(np.asarray(figure.canvas.buffer_rgba())[..., :3].tobytes())
            if on_frame is not None:
                on_frame(index)
        writer.close()
        if audio is None:
            os.replace(silent, path)
        else:
            _mux(silent, audio, sample_rate, path)
    finally:
        plt.close(figure)
        if os.path.exists(silent):
            os.unlink(silent)
    return path


def _mux(video: str, audio: np.ndarray, sample_rate: int, path: Path) -> None:
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        wav = save_audio(Path(tmp) / "audio.wav", audio, sample_rate)
        muxed = Path(tmp) / "muxed.mp4"
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", video, "-i", str(wav),
            "-c:v", "copy", "-c:a", "aac", "-shortest", str(muxed),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise MumoError(f"ffmpeg could not add the audio to {path}: {result.stderr.strip()}")
        os.replace(muxed, path)


def render_contact_sheet(
    path: str | Path, joints: np.ndarray, fps: float = 60.0, num_frames: int = 8, title: str = ""
) -> Path:
    """A PNG of ``num_frames`` evenly spaced key frames of ``joints`` ``[T, 22, 3]``, labelled in seconds."""
    joints = _check(joints)
    path = Path(path)
    indices = np.linspace(0, len(joints) - 1, num_frames).round().astype(int)
    figure, panels = _figure([joints] * num_frames, [f"{i / fps:.2f} s" for i in indices], 220)
    for panel, index in zip(panels, indices, strict=True):
        panel.draw(int(index))
    if title:
        figure.subplots_adjust(top=0.8)
        figure.suptitle(title, fontsize=11, y=0.99)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_file(path, suffix=".png")
    figure.savefig(tmp)
    plt.close(figure)
    os.replace(tmp, path)
    return path
