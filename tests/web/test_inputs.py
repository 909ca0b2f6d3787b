import numpy as np
import pytest
import soundfile as sf

from mumo.audio import save as save_audio
from mumo.errors import AudioError, InputError, MotionError
from mumo.motion import write_bvh
from mumo.web.inputs import check_duration, read_dance, read_song

from ..pipeline.conftest import synthetic_song
from ..tokenizers.helpers import swaying_clip


def test_a_song_is_read_as_mono_at_the_model_rate(tmp_path):
    path = save_audio(tmp_path / "song.wav", np.repeat(synthetic_song(2.0), 2, axis=0), 32_000)
    song = read_song(path, 16_000, max_seconds=10)
    assert song.shape == (1, 32_000)
    assert song.dtype == np.float32


def test_a_two_hour_song_is_refused_before_it_is_decoded(tmp_path):
    path = tmp_path / "concert.flac"
    sf.write(path, np.zeros(2 * 3600 * 1000, np.int16), 1000)  # two hours at 1 kHz, a small file
    message = r"^concert\.flac: 7200 s of audio, more than the 300 s allowed; cut it first"
    with pytest.raises(AudioError, match=message):
        read_song(path, 32_000, max_seconds=300)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.wav", b"", r"^empty\.wav: file is empty \(0 bytes\)$"),
        ("noise.mp3", b"\x00\x01 not audio " * 40, r"^noise\.mp3: not a readable audio file"),
        ("song.txt", b"la la la", r"^song\.txt: not a song file; give one of \.wav, \.mp3, \.ogg, \.flac$"),
    ],
)
def test_unusable_songs_are_named_by_file_name_in_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message) as error:
        read_song(path, 32_000, max_seconds=300)
    assert str(tmp_path) not in str(error.value)
    assert "\n" not in str(error.value)


def test_a_cut_off_song_is_refused(tmp_path):
    path = save_audio(tmp_path / "cut.wav", synthetic_song(2.0), 32_000)
    path.write_bytes(path.read_bytes()[:30_000])
    with pytest.raises(AudioError, match=r"^cut\.wav: truncated file"):
        read_song(path, 32_000, max_seconds=300)


def test_a_dance_is_read_from_npy_at_its_rate_and_from_bvh(tmp_path):
    joints = swaying_clip(60, seed=1, fps=30.0)
    np.save(tmp_path / "dance.npy", joints)
    read, fps = read_dance(tmp_path / "dance.npy", 30.0, max_seconds=10)
    assert fps == 30.0
    np.testing.assert_array_equal(read, joints)
    write_bvh(joints, 30.0, tmp_path / "dance.bvh")
    read, fps = read_dance(tmp_path / "dance.bvh", 60.0, max_seconds=10)
    assert (read.shape, fps) == ((60, 22, 3), 30.0)


def test_a_dance_with_nan_is_refused(tmp_path):
    joints = swaying_clip(60, seed=1)
    joints[10, 3] = np.nan
    np.save(tmp_path / "nan.npy", joints)
    with pytest.raises(MotionError, match=r"^nan\.npy: joints contain 3 NaN/Inf values \(first at frame 10"):
        read_dance(tmp_path / "nan.npy", 60.0, max_seconds=10)


def test_a_bvh_of_another_skeleton_is_refused(tmp_path):
    write_bvh(swaying_clip(60, seed=1), 60.0, tmp_path / "dance.bvh")
    other = tmp_path / "mixamo.bvh"
    other.write_text((tmp_path / "dance.bvh").read_text().replace("ROOT pelvis", "ROOT Hips"))
    message = r"^mixamo\.bvh: unknown skeleton; closest known \(smpl\) lacks joints pelvis"
    with pytest.raises(MotionError, match=message):
        read_dance(other, 60.0, max_seconds=10)


def test_a_long_dance_and_other_files_are_refused(tmp_path):
    np.save(tmp_path / "long.npy", swaying_clip(600, seed=1))
    with pytest.raises(InputError, match=r"^long\.npy: the dance lasts 10 s, more than the 5 s allowed$"):
        read_dance(tmp_path / "long.npy", 60.0, max_seconds=5)
    (tmp_path / "dance.fbx").write_bytes(b"fbx")
    with pytest.raises(MotionError, match=r"^dance\.fbx: not a dance file; give one of \.npy, \.bvh$"):
        read_dance(tmp_path / "dance.fbx", 60.0, max_seconds=5)


@pytest.mark.parametrize(("given", "expected"), [(None, None), (0.0, None), (12.5, 12.5), (300.0, 300.0)])
def test_durations_within_the_limit(given, expected):
    assert check_duration(given, max_seconds=300) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (1e9, r"longer than the 300 s allowed$"),
        (300.5, r"longer than the 300 s allowed$"),
        (-2.0, "at least 1"),
    ],
)
def test_durations_out_of_range_are_refused(given, message):
    with pytest.raises(InputError, match=message):
        check_duration(given, max_seconds=300)
