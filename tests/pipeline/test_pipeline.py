import numpy as np
import pytest

from mumo.errors import AudioError, MotionError, MumoError
from mumo.pipeline import Pipeline, longform, results

from ..tokenizers.helpers import swaying_clip
from .conftest import tiny_components


def test_dance_follows_the_length_of_the_song_and_its_seed(pipe, song):
    first = pipe.dance(song, 32_000, seed=1)
    assert first.joints.shape == (1, 150, 22, 3)
    assert first.fps == 60
    assert np.isfinite(first.joints).all()
    np.testing.assert_array_equal(first.audio[0], song)
    assert first.music_codes.shape == first.motion_codes.shape == (1, 2, 125)
    np.testing.assert_array_equal(pipe.dance(song, 32_000, seed=1).joints, first.joints)
    assert not np.array_equal(pipe.dance(song, 32_000, seed=2).motion_codes, first.motion_codes)


def test_dance_takes_any_rate_and_channels_and_a_duration(pipe, song):
    import soxr

    stereo = np.repeat(soxr.resample(song[0], 32_000, 44_100)[None], 2, axis=0)
    dance = pipe.dance(stereo, 44_100, duration_s=1.5, batch=2)
    assert dance.joints.shape == (2, 90, 22, 3)
    assert dance.audio.shape == (2, 1, 48_000)
    assert len(dance) == 2
    assert dance[1].joints.shape == (1, 90, 22, 3)


def test_music_for_a_dance_at_another_frame_rate(pipe):
    joints = swaying_clip(60, seed=0, fps=30.0)  # 2 s at 30 fps
    music = pipe.music(joints, 30.0, music_text="a funk track")
    assert music.joints.shape == (1, 120, 22, 3)
    assert music.audio.shape == (1, 1, 64_000)
    assert music.audio.dtype == np.float32
    assert np.isfinite(music.audio).all()


def test_joint_generation_has_both_streams(pipe):
    both = pipe.joint(1.5, music_text="a house track", motion_text="a house dance", batch=2)
    assert both.joints.shape == (2, 90, 22, 3)
    assert both.audio.shape == (2, 1, 48_000)


def test_saved_files_hold_the_performance(pipe, song, tmp_path):
    dance = pipe.dance(song, 32_000, batch=2)
    paths = dance.save(tmp_path / "out")
    assert {p.name for p in paths} == {
        "dance.npy",
        "dance_features.npy",
        "dance.bvh",
        "music.wav",
        "codes.npz",
    }
    folder = tmp_path / "out" / "sample_1"
    np.testing.assert_allclose(np.load(folder / "dance.npy"), dance.joints[1], atol=1e-6)
    assert np.load(folder / "dance_features.npy").shape == (150, 263)
    assert "Frames: 150" in (folder / "dance.bvh").read_text()
    assert np.load(folder / "codes.npz")["motion_codes"].shape == (2, 125)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_an_interrupted_save_leaves_no_file_that_looks_complete(pipe, song, tmp_path, monkeypatch):
    dance = pipe.dance(song, 32_000)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(results, "write_bvh", broken)
    with pytest.raises(OSError, match="disk full"):
        dance.save(tmp_path / "out")
    assert list(tmp_path.rglob("*.*")) == []


@pytest.mark.parametrize(
    ("audio", "message"),
    [
        (np.zeros((1, 64_000), np.float32), "silent"),
        (np.full((1, 16_000), 0.3, np.float32), "too short"),
        (np.array([[0.1, np.nan] * 40_000], np.float32), "non-finite"),
    ],
)
def test_unusable_music_is_refused_with_the_reason(pipe, audio, message):
    with pytest.raises(AudioError, match=message):
        pipe.dance(audio, 32_000)


def test_a_duration_beyond_the_input_is_refused(pipe, song):
    with pytest.raises(AudioError, match="longer than the music"):
        pipe.dance(song, 32_000, duration_s=10.0)


def test_a_dance_on_another_skeleton_is_refused(pipe):
    with pytest.raises(MotionError, match="22-joint"):
        pipe.music(np.zeros((120, 17, 3)), 60.0)
    joints = swaying_clip(120, seed=0)
    joints[5, 3] = np.nan
    with pytest.raises(MotionError, match="NaN"):
        pipe.music(joints, 60.0)


def test_an_output_folder_that_cannot_be_written_is_refused(pipe, song, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(MumoError, match="is a file"):
        pipe.dance(song, 32_000).save(blocker / "out")


def test_a_misspelt_sampling_option_is_named(pipe, song):
    with pytest.raises(TypeError, match=r"unknown sampling options \['guidence'\]"):
        pipe.dance(song, 32_000, guidence=2.0)


def test_compile_flag_reaches_every_generation(monkeypatch, song):
    """``Pipeline(compile=True)`` (as ``mumo.load`` and ``mumo generate --compile`` build it) decodes with
    the compiled step; compiled tokens themselves are checked in tests/lm/test_generate.py."""
    seen = []
    original = longform.generate

    def spy(*args, **kwargs):
        seen.append(kwargs["compile"])
        return original(*args, **{**kwargs, "compile": False})

    monkeypatch.setattr(longform, "generate", spy)
    Pipeline(tiny_components(), compile=True).dance(song, 32_000, duration_s=1.0)
    assert seen == [True]


def test_a_bf16_pipeline_holds_the_model_in_bfloat16_and_still_dances(song):
    """``bf16=True`` (``mumo generate --bf16``) converts the LM, not the tokenizers, and generation runs on
    it (the description encoder's positions follow the weights' dtype)."""
    import torch

    pipe = Pipeline(tiny_components(), bf16=True)
    assert {p.dtype for p in pipe.model.parameters()} == {torch.bfloat16}
    assert {p.dtype for p in pipe.motion_tokenizer.parameters()} == {torch.float32}
    dance = pipe.dance(song, 32_000, duration_s=1.0, seed=3)
    assert dance.joints.shape == (1, 60, 22, 3)
    assert np.isfinite(dance.joints).all()
