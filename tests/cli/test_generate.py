import json

import numpy as np
import pytest
import soundfile as sf

from mumo.audio import save as save_audio
from mumo.cli.main import main
from mumo.motion.skeleton_maps import KNOWN_MAPS
from mumo.pipeline import save_bundle
from tests.realdata import realdata

from ..pipeline.conftest import synthetic_song, tiny_components
from ..tokenizers.helpers import swaying_clip

MOCAPBANK_REST = {
    smpl: name for smpl, name in next(m for m in KNOWN_MAPS if m.name == "mocapbank").joints.items()
    if not smpl.endswith("knee")
}  # fmt: skip


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return save_bundle(tiny_components(), tmp_path_factory.mktemp("models") / "bundle")


def test_a_dance_for_a_song_with_its_video(bundle, tmp_path, capsys):
    wav = save_audio(tmp_path / "song.wav", synthetic_song(), 32_000)
    out = tmp_path / "out"
    argv = ["generate", "--checkpoint", str(bundle), "--music", str(wav), "--out", str(out),
            "--motion-text", "a house dance", "--seed", "2", "--guidance", "3"]  # fmt: skip
    assert main(argv) == 0
    assert np.load(out / "dance.npy").shape == (150, 22, 3)
    assert (out / "video.mp4").stat().st_size > 1_000
    settings = json.loads((out / "generation.json").read_text())
    assert settings["seed"] == 2
    assert settings["result"] == "DanceResult"
    assert f"video: {out / 'video.mp4'}" in capsys.readouterr().out


def test_music_for_a_dance_file(bundle, tmp_path):
    np.save(tmp_path / "dance.npy", swaying_clip(60, seed=1, fps=30.0))
    out = tmp_path / "out"
    argv = ["generate", "--checkpoint", str(bundle), "--motion", str(tmp_path / "dance.npy"),
            "--motion-fps", "30", "--out", str(out), "--no-video"]  # fmt: skip
    assert main(argv) == 0
    info = sf.info(out / "music.wav")
    assert info.samplerate == 32_000
    assert info.frames == 64_000
    assert not (out / "video.mp4").exists()


@pytest.mark.parametrize("take", ["test_mocapbank.bvh", "60_10_scaled.bvh"])
def test_music_for_a_real_mocap_take(bundle, tmp_path, take):
    out = tmp_path / "out"
    argv = ["generate", "--checkpoint", str(bundle), "--motion", str(realdata(f"bvh/{take}")),
            "--duration", "2", "--out", str(out), "--no-video"]  # fmt: skip
    assert main(argv) == 0
    assert sf.info(out / "music.wav").frames == 64_000
    assert np.load(out / "dance.npy").shape == (120, 22, 3)  # the take resampled to 60 fps


def test_an_unknown_bvh_skeleton_fails_in_one_line(bundle, tmp_path, capsys):
    take = realdata("bvh/test_mocapbank.bvh")
    renamed = tmp_path / "take.bvh"
    renamed.write_text(take.read_text().replace("LeftKnee", "LKnee").replace("RightKnee", "RKnee"))
    argv = ["generate", "--checkpoint", str(bundle), "--motion", str(renamed), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert "lacks joints LeftKnee, RightKnee" in error
    assert len(error.splitlines()) == 1
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"left_knee": "LKnee", "right_knee": "RKnee", **MOCAPBANK_REST}))
    assert main([*argv, "--bvh-joints", str(mapping), "--duration", "1", "--no-video"]) == 0


def test_both_together_in_a_batch(bundle, tmp_path):
    out = tmp_path / "out"
    argv = ["generate", "--checkpoint", str(bundle), "--duration", "1.5", "--batch", "2", "--out", str(out),
            "--no-video"]  # fmt: skip
    assert main(argv) == 0
    for sample in ("sample_0", "sample_1"):
        assert np.load(out / sample / "dance.npy").shape == (90, 22, 3)


def test_silent_music_fails_in_one_line_and_writes_nothing(bundle, tmp_path, capsys):
    wav = save_audio(tmp_path / "silence.wav", np.zeros((1, 64_000), np.float32), 32_000)
    out = tmp_path / "out"
    assert main(["generate", "--checkpoint", str(bundle), "--music", str(wav), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "silent" in error
    assert len(error.strip().splitlines()) == 1
    assert not out.exists()


def test_a_folder_that_is_no_model_is_named(tmp_path, capsys):
    assert main(["generate", "--checkpoint", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no bundle.json" in capsys.readouterr().err
