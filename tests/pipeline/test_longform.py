import numpy as np
import pytest
import torch

from mumo.lm import MusicMotionLM, Task
from mumo.pipeline import longform
from mumo.pipeline.longform import generate_long, window_starts

from .conftest import TINY_LM


def test_windows_cover_the_sequence_and_the_last_ends_at_its_end():
    assert window_starts(40, 50, 25) == [0]
    assert window_starts(125, 50, 25) == [0, 25, 50, 75]
    assert window_starts(130, 50, 20) == [0, 30, 60, 80]
    with pytest.raises(ValueError, match="context"):
        window_starts(100, 50, 50)


def test_each_window_continues_the_codes_already_generated(monkeypatch):
    torch.manual_seed(0)
    model = MusicMotionLM(TINY_LM).eval()
    music = torch.randint(0, 16, (2, 2, 130))
    prompts, original = [], longform.generate

    def spy(model, task, **kwargs):
        prompts.append((kwargs["motion_codes"], kwargs["prompt_frames"], kwargs["music_codes"]))
        return original(model, task, **kwargs)

    monkeypatch.setattr(longform, "generate", spy)
    result = generate_long(
        model, Task.MUSIC2MOTION, 130, window=50, context=20, music_codes=music, guidance_scale=2.0, top_k=8,
    )  # fmt: skip
    assert result.motion_codes.shape == (2, 2, 130)
    assert torch.equal(result.music_codes, music)
    done = 0
    for (prompt, prompt_frames, music_window), start in zip(prompts, window_starts(130, 50, 20), strict=True):
        stop = min(start + 50, 130)
        assert torch.equal(music_window, music[..., start:stop])
        assert prompt_frames == done - start
        if start == 0:
            assert prompt is None
        else:  # continues exactly the codes already generated in this window
            assert torch.equal(prompt, result.motion_codes[..., start:done])
        done = stop


def test_a_long_song_gives_a_dance_of_its_length_without_seams(pipe):
    seconds = 4.0
    t = np.arange(int(seconds * 32_000)) / 32_000
    beat = (np.sin(2 * np.pi * 2 * t) > 0.95) * np.sin(2 * np.pi * 80 * t)  # a kick twice a second
    song = (0.5 * beat + 0.05 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[None]
    fractions = []
    dance = pipe.dance(song, 32_000, seed=3, progress=fractions.append)
    joints = dance.joints[0]
    assert joints.shape == (240, 22, 3)  # 4 s at 60 fps, from 4 windows of 1 s
    assert fractions[-1] == pytest.approx(1.0)
    assert fractions == sorted(fractions)
    step = np.linalg.norm(np.diff(joints, axis=0), axis=-1).max(axis=-1)  # [T - 1] largest joint move
    starts = window_starts(200, pipe.window, pipe.context)[1:]
    seams = [round((s + pipe.context) * 60 / 50) - 1 for s in starts]  # first new frame of each window
    assert step[seams].max() <= 3 * np.percentile(step, 95)
