"""Bad input, one test per class of the table in docs/robustness.md: every case ends in one line on stderr
(exit 2 for a mumo error), before a model is loaded, and writes nothing."""

import json
import os
import shutil
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from mumo import checks
from mumo.audio import load as load_audio
from mumo.audio import save as save_audio
from mumo.cli import generate as generate_verb
from mumo.cli.main import main
from mumo.config import load_config
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.token_store import TokenStore
from mumo.errors import AudioError, ConfigError, DataError, InputError, MotionError
from mumo.motion.io import load_dance
from mumo.pipeline import Pipeline, save_bundle
from mumo.train.config import TrainConfig
from mumo.train.run import check_store_fits

from ..pipeline.conftest import synthetic_song, tiny_components
from ..tokenizers.helpers import swaying_clip


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return save_bundle(tiny_components(), tmp_path_factory.mktemp("models") / "bundle")


@pytest.fixture(scope="module")
def wav(tmp_path_factory):
    return save_audio(tmp_path_factory.mktemp("songs") / "song.wav", synthetic_song(), 32_000)


@pytest.fixture
def no_model(monkeypatch):
    """Fail the test if a model is loaded: the checks must come first."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the model was loaded before the arguments were checked")

    monkeypatch.setattr("mumo.pipeline.load", forbidden)


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: "), err
    assert "\n" not in err, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--guidance", "nan"], "guidance must be a finite number"),
        (["--guidance", "inf"], "guidance must be a finite number"),
        (["--guidance", "-1"], "guidance must be at least 0"),
        (["--temperature", "nan"], "temperature must be a finite number"),
        (["--temperature", "-0.5"], "temperature must be at least 0"),
        (["--top-k", "-3"], "top_k"),
        (["--batch", "0"], "batch must be at least 1"),
        (["--batch", "100000"], "batch must be at most"),
        (["--duration", "nan"], "duration (seconds) must be a finite number"),
        (["--duration", "1e9"], "longer than the 600 s allowed"),
        (["--duration", "700", "--max-length", "nan"], "--max-length must be a finite number"),
        (["--device", "cuda:7"], "not available"),
        (["--device", "toaster"], "unknown device"),
    ],
)
def test_numbers_out_of_range_are_refused_before_the_model_loads(
    bundle, tmp_path, capsys, no_model, flags, message
):
    out = tmp_path / "out"
    assert main(["generate", "--checkpoint", str(bundle), "--out", str(out), *flags]) == 2
    assert message in _one_line_error(capsys)
    assert not out.exists()


def test_paths_that_are_not_what_they_must_be(bundle, wav, tmp_path, capsys, no_model):
    empty = tmp_path / "empty.wav"
    empty.touch()
    cases = [
        (["--music", str(tmp_path / "missing.wav")], "music file not found"),
        (["--music", str(tmp_path)], "is a folder"),
        (["--music", str(empty)], "empty"),
        (["--music", str(wav), "--out", str(wav)], "is a file"),
    ]
    for flags, message in cases:
        argv = ["generate", "--checkpoint", str(bundle), "--out", str(tmp_path / "out"), *flags]
        assert main(argv) == 2
        assert message in _one_line_error(capsys)
    folder = tmp_path / "a_folder"
    folder.mkdir()
    joints = tmp_path / "joints.npy"
    np.save(joints, np.zeros((10, 22, 3)))
    assert main(["render", "--joints", str(joints), "--out", str(folder)]) == 2
    assert "is a folder" in _one_line_error(capsys)
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY")
    assert main(["render", "--joints", str(tmp_path / "bad.npy"), "--out", str(tmp_path / "v.mp4")]) == 2
    assert "not a readable .npy" in _one_line_error(capsys)
    clips = tmp_path / "clips"
    clips.mkdir()
    np.save(clips / "a.npy", np.zeros((30, 22, 3)))
    argv = ["evaluate-dir", "--generated", str(clips), "--reference", str(clips), "--json", str(folder)]
    assert main(argv) == 2
    assert "is a folder" in _one_line_error(capsys)
    assert list(folder.iterdir()) == []


def test_an_output_folder_is_never_mixed_or_destroyed(bundle, wav, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("the user's notes")
    argv = ["generate", "--checkpoint", str(bundle), "--music", str(wav), "--out", str(out), "--no-video"]
    assert main(argv) == 2
    assert "--overwrite" in _one_line_error(capsys)
    assert (out / "mine.txt").read_text() == "the user's notes"

    lock = tmp_path / ".out.lock"
    lock.write_text(f"{os.getpid()}\n")  # a live process holds the folder
    assert main([*argv, "--overwrite"]) == 2
    assert "is writing into it" in _one_line_error(capsys)
    lock.write_text("999999999\n")  # left by a process that died: taken over
    assert main([*argv, "--overwrite"]) == 0
    assert not (out / "mine.txt").exists()  # files of the earlier contents do not linger beside the new ones
    assert (out / "dance.npy").is_file()
    assert (out / "generation.json").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no lock or staging left


def test_a_failed_run_leaves_the_folder_as_it_was(bundle, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.npy").write_bytes(b"x")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(generate_verb, "_render", broken)
    argv = ["generate", "--checkpoint", str(bundle), "--duration", "1.5", "--out", str(out), "--overwrite"]
    assert main(argv) == 1
    assert "No space left on device" in _one_line_error(capsys)
    assert [p.name for p in out.iterdir()] == ["earlier.npy"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_datasets_are_written_whole_and_refuse_to_mix(tmp_path, capsys):
    out = tmp_path / "data"
    argv = [
        "data",
        "synth",
        "--out",
        str(out),
        "--num-clips",
        "3",
        "--min-duration",
        "1",
        "--max-duration",
        "1.2",
    ]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(argv) == 2
    assert "--overwrite" in _one_line_error(capsys)
    for bad, message in ((["--max-duration", "nan"], "finite"), (["--max-duration", "1e9"], "at most 600")):
        assert main([*argv[:-2], *bad, "--overwrite"]) == 2
        assert message in _one_line_error(capsys)
    assert main([*argv, "--overwrite"]) == 0


def test_parts_that_do_not_fit_each_other(tmp_path, capsys):
    components = tiny_components()
    components.music_tokenizer.save(tmp_path / "music")
    components.motion_tokenizer.save(tmp_path / "motion")
    data = tmp_path / "data"
    build_synthetic_dataset(data, num_clips=3, seed=0, min_duration_s=1.0, max_duration_s=1.2)
    swapped = ["tokenize", "dataset", "--data", str(data), "--music-codec", str(tmp_path / "motion"),
               "--motion-codec", str(tmp_path / "music"), "--out", str(tmp_path / "swapped")]  # fmt: skip
    assert main(swapped) == 2
    assert "not a music tokenizer (swapped?)" in _one_line_error(capsys)

    songs = sorted((data / "music").iterdir())
    kept = [song.read_bytes() for song in songs]
    for song in songs:
        song.write_bytes(b"")
    argv = ["tokenize", "dataset", "--data", str(data), "--music-codec", str(tmp_path / "music"),
            "--motion-codec", str(tmp_path / "motion"), "--out", str(tmp_path / "empty")]  # fmt: skip
    assert main(argv) == 2
    assert "no clip could be encoded" in capsys.readouterr().err

    for song, content in zip(songs, kept, strict=True):
        song.write_bytes(content)
    argv[-1] = str(tmp_path / "store")
    assert main(argv) == 0
    store = TokenStore(tmp_path / "store")
    wider = replace(components.model.config, num_codebooks=store.meta.music.num_codebooks + 1)
    with pytest.raises(DataError, match=r"set model\.num_codebooks"):
        check_store_fits(store, wider, "store")


def test_training_settings_out_of_range(tmp_path):
    config = tmp_path / "stage.yaml"
    config.write_text("run_dir: x\ndata: {store: y}\n")
    with pytest.raises(ConfigError, match="max_epochs must be at least 1"):
        load_config(config, TrainConfig, ["trainer.max_epochs=-1"])
    with pytest.raises(ConfigError, match="learning_rate must be a finite number"):
        load_config(config, TrainConfig, ["optim.learning_rate=nan"])


@pytest.fixture(scope="module")
def pipe():
    return Pipeline(tiny_components())


@pytest.fixture(scope="module")
def song():
    return synthetic_song()


def test_audio_arrays_in_other_units_and_layouts(pipe, song):
    pcm16 = np.round(song * 32767).astype(np.int16)
    as_int = pipe.dance(pcm16, 32_000, seed=3)
    as_float = pipe.dance(song, 32_000, seed=3)
    np.testing.assert_array_equal(as_int.music_codes, as_float.music_codes)
    channels_last = np.stack([song[0], song[0]], axis=1)  # [N, 2]
    np.testing.assert_array_equal(pipe.dance(channels_last, 32_000, seed=3).music_codes, as_float.music_codes)
    with pytest.raises(AudioError, match="integer PCM stored as float"):
        pipe.dance(song * 32767, 32_000)


def test_work_is_bounded_before_anything_is_allocated(pipe, tmp_path, monkeypatch):
    long_file = tmp_path / "long.wav"
    sf.write(long_file, np.zeros(700 * 1000, np.int16), 1000)  # 700 s at 1 kHz
    monkeypatch.setattr(sf, "read", lambda *a, **k: pytest.fail("the audio was read"))
    with pytest.raises(AudioError, match="700 s of audio, more than the 600 s allowed"):
        load_audio(long_file, 32_000, max_seconds=600)
    with pytest.raises(InputError, match="memory"):
        pipe.joint(600.0, batch=1024)
    with pytest.raises(InputError, match="longer than the 600 s allowed"):
        pipe.joint(601.0)
    assert checks.integer(3.0, "n") == 3


def test_unexpected_errors_are_one_line_unless_debugging(monkeypatch, capsys, tmp_path):
    def explode(args):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr("mumo.cli.render.run", explode)
    argv = ["render", "--joints", "x.npy", "--out", str(tmp_path / "v.mp4")]
    assert main(argv) == 1
    err = _one_line_error(capsys)
    assert "RuntimeError: something broke" in err
    assert "--debug" in err
    with pytest.raises(RuntimeError):
        main(["--debug", *argv])
    monkeypatch.setenv("MUMO_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(argv)


def test_a_bad_value_in_a_bundle_manifest_is_named(bundle, tmp_path, capsys):
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    manifest = json.loads((copy / "bundle.json").read_text())
    (copy / "bundle.json").write_text(json.dumps({**manifest, "window_s": "long"}))
    assert main(["generate", "--checkpoint", str(copy), "--duration", "2", "--out", str(tmp_path / "o")]) == 2
    assert "window_s must be a number" in _one_line_error(capsys)


def test_an_unknown_layout_in_a_bundles_lm_config_is_named(bundle, tmp_path, capsys):
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    config = json.loads((copy / "lm" / "config.json").read_text())
    (copy / "lm" / "config.json").write_text(json.dumps({**config, "layout": "sideways"}))
    assert main(["generate", "--checkpoint", str(copy), "--duration", "2", "--out", str(tmp_path / "o")]) == 2
    assert "layout must be one of ['causal', 'given_full'], got 'sideways'" in _one_line_error(capsys)


def test_an_empty_or_cut_npy_is_a_motion_error(tmp_path):
    (tmp_path / "empty.npy").touch()
    with pytest.raises(MotionError, match=r"not a readable \.npy array"):
        load_dance(tmp_path / "empty.npy")
    np.save(tmp_path / "cut.npy", np.zeros((100, 22, 3)))
    (tmp_path / "cut.npy").write_bytes((tmp_path / "cut.npy").read_bytes()[:300])
    with pytest.raises(MotionError, match=r"not a readable \.npy array"):
        load_dance(tmp_path / "cut.npy")


def test_joint_arrays_in_centimetres_are_read_as_metres(tmp_path, caplog):
    metres = swaying_clip(60, seed=2)
    np.save(tmp_path / "cm.npy", metres * 100.0)
    joints, _ = load_dance(tmp_path / "cm.npy", 60.0)
    np.testing.assert_allclose(joints, metres, atol=1e-9)
    assert "centimetres" in caplog.text
    np.save(tmp_path / "m.npy", metres)
    np.testing.assert_array_equal(load_dance(tmp_path / "m.npy", 60.0)[0], metres)
