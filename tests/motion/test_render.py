import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from mumo.errors import MotionError, MumoError
from mumo.motion.render import render_contact_sheet, render_video
from mumo.motion.skeleton import SMPL22


def dance(num_frames: int = 60) -> np.ndarray:
    rest = SMPL22.rest_joints()
    t = np.arange(num_frames)[:, None, None] / 60.0
    return rest[None] + 0.1 * np.sin(2 * np.pi * t) * np.array([1.0, 0.0, 0.0])


def streams(path) -> str:
    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(path)], capture_output=True, text=True
    )
    return result.stderr


def test_video_with_audio_and_ground_truth(tmp_path):
    audio = (0.1 * np.sin(np.arange(32_000) / 10.0)).astype(np.float32)[None]
    path = render_video(tmp_path / "out" / "dance.mp4", dance(60), audio=audio, ground_truth=dance(60))
    info = streams(path)
    assert "Video: h264" in info
    assert "Audio: aac" in info
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 30
    assert seconds == pytest.approx(1.0, abs=0.1)
    assert sorted(p.name for p in path.parent.iterdir()) == ["dance.mp4"]


def test_contact_sheet(tmp_path):
    path = render_contact_sheet(tmp_path / "sheet.png", dance(120), num_frames=4, title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_inputs(tmp_path):
    with pytest.raises(MotionError, match=r"\[T, 22, 3\]"):
        render_video(tmp_path / "x.mp4", np.zeros((10, 24, 3)))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(MumoError, match="cannot write"):
        render_video(blocker / "x.mp4", dance(10))
