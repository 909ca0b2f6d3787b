import shlex

import numpy as np
import pytest
import soundfile as sf

from mumo.audio import save as save_audio
from mumo.cli.main import main
from mumo.errors import AudioError, InputError
from mumo.motion import read_bvh_smpl22
from mumo.pipeline import load, save_bundle
from mumo.web.jobs import Jobs, Limits
from mumo.web.settings import Settings
from mumo.web.workspace import Workspace

from ..pipeline.conftest import synthetic_song, tiny_components
from ..tokenizers.helpers import swaying_clip


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return save_bundle(tiny_components(), tmp_path_factory.mktemp("models") / "bundle")


@pytest.fixture
def jobs(bundle, tmp_path):
    return Jobs(load(bundle), bundle, Workspace(tmp_path / "workspace"), Limits(max_seconds=30))


def _reproduce(command: str, out, *extra: str) -> None:
    """Run the page's ``mumo generate`` command, writing into ``out`` instead of ``out/``."""
    argv = shlex.split(command)
    assert argv[:2] == ["mumo", "generate"]
    assert argv[-2:] == ["--out", "out"]
    assert main([*argv[1:-2], "--out", str(out), "--no-video", *extra]) == 0


def test_a_dance_with_video_sheet_and_files_that_the_command_reproduces(jobs, tmp_path):
    song = save_audio(tmp_path / "song.wav", synthetic_song(2.0), 32_000)
    stages = []
    settings = Settings(guidance=3.0, temperature=0.7, seed=5)
    out = jobs.dance(song, "a house dance", settings, lambda f, stage: stages.append((stage, f)))
    joints = np.load(out.joints)
    assert joints.shape == (120, 22, 3)
    bvh_joints, fps = read_bvh_smpl22(out.bvh)
    assert (bvh_joints.shape, fps) == ((120, 22, 3), 60.0)
    assert out.video.stat().st_size > 1_000
    assert out.contact_sheet.read_bytes()[:4] == b"\x89PNG"
    assert (stages[0][0], stages[-1][0]) == ("decoding", "rendering")
    for stage in ("decoding", "rendering"):
        fractions = [f for s, f in stages if s == stage]
        assert fractions == sorted(fractions)
        assert fractions[-1] == pytest.approx(1.0)
    assert out.command == (
        f"mumo generate --checkpoint {jobs.checkpoint} --music {song} --motion-text 'a house dance' "
        "--guidance 3.0 --temperature 0.7 --seed 5 --out out"
    )
    _reproduce(out.command, tmp_path / "cli")
    np.testing.assert_array_equal(np.load(tmp_path / "cli" / "dance.npy"), joints)


def test_music_for_a_dance_at_its_own_rate_that_the_command_reproduces(jobs, tmp_path):
    np.save(tmp_path / "dance.npy", swaying_clip(45, seed=1, fps=30.0))
    out = jobs.music(tmp_path / "dance.npy", "", Settings(seed=1, duration_s=1.2), fps=30.0)
    music, rate = sf.read(out.music)
    assert (len(music), rate) == (38_400, 32_000)
    assert out.video.stat().st_size > 1_000
    assert "--music-text" not in out.command  # an empty description is left out
    settings = "--motion-fps 30.0 --guidance 4.0 --temperature 1.0 --seed 1 --duration 1.2 --out out"
    assert out.command.endswith(settings)
    _reproduce(out.command, tmp_path / "cli")
    np.testing.assert_array_equal(sf.read(tmp_path / "cli" / "music.wav")[0], music)


def test_both_together_and_only_the_newest_folders_are_kept(bundle, tmp_path):
    jobs = Jobs(load(bundle), bundle, Workspace(tmp_path / "workspace"), keep=1)
    first = jobs.joint("a house track", "a house dance", Settings(duration_s=1.0))
    second = jobs.joint("", "", Settings(seed=1, duration_s=1.5))
    assert not first.folder.exists()
    assert np.load(second.joints).shape == (90, 22, 3)
    assert sf.info(second.music).duration == pytest.approx(1.5)
    assert second.command.endswith("--seed 1 --duration 1.5 --out out")


def test_an_upload_is_named_in_the_command_by_its_file_name_and_duration_0_is_left_out(jobs):
    upload = jobs.workspace.uploads / "3f2a" / "my song.wav"
    upload.parent.mkdir(parents=True)
    save_audio(upload, synthetic_song(1.5), 32_000)
    out = jobs.dance(upload, "", Settings(duration_s=0.0))  # 0: the whole song, as without a duration
    assert f"--checkpoint {jobs.checkpoint} --music 'my song.wav' --guidance" in out.command
    assert "--duration" not in out.command


def test_bad_requests_raise_before_generating(jobs, tmp_path):
    song = save_audio(tmp_path / "song.wav", synthetic_song(2.0), 32_000)
    with pytest.raises(InputError, match="duration 100000 s is longer than the 30 s allowed"):
        jobs.dance(song, "", Settings(duration_s=100_000))
    with pytest.raises(AudioError, match=r"duration 3 s is longer than the music \(2\.00 s\)"):
        jobs.dance(song, "", Settings(duration_s=3.0))
    with pytest.raises(InputError, match=r"duration \(seconds\) must be at least 1, got 0\.5"):
        jobs.joint("", "", Settings(duration_s=0.5))
    save_audio(tmp_path / "silence.wav", np.zeros((1, 64_000), np.float32), 32_000)
    with pytest.raises(AudioError, match="silent"):
        jobs.dance(tmp_path / "silence.wav", "", Settings())
    assert not list(jobs.workspace.jobs.glob("*"))
