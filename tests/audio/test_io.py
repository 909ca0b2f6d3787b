import numpy as np
import pytest
import soundfile as sf

from mumo import audio
from mumo.errors import AudioError


def sine(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)[None]


def test_load_resamples_and_mixes_to_mono(tmp_path):
    stereo = np.concatenate([sine(1.0, 44_100), sine(1.0, 44_100, 220.0)])
    sf.write(tmp_path / "a.wav", stereo.T, 44_100)
    out = audio.load(tmp_path / "a.wav", 32_000)
    assert out.dtype == np.float32
    assert out.shape == (1, 32_000)
    both = audio.load(tmp_path / "a.wav", 16_000, mono=False)
    assert both.shape == (2, 16_000)


def test_save_then_load_round_trip(tmp_path):
    wave = sine(0.5, 32_000)
    path = audio.save(tmp_path / "sub" / "x.wav", wave, 32_000)
    back = audio.load(path, 32_000)
    np.testing.assert_allclose(back, wave, atol=1e-4)
    assert [p.name for p in path.parent.iterdir()] == ["x.wav"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.wav", b"", "empty"),
        ("garbage.wav", bytes(range(256)) * 8, "not a readable audio file"),
        ("text.wav", b"this is a text file, not audio\n" * 10, "not a readable audio file"),
    ],
)
def test_bad_files_raise_audio_error_naming_file(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioError, match=reason) as info:
        audio.load(path, 32_000)
    assert name in str(info.value)


def test_truncated_and_zero_sample_wavs(tmp_path):
    sf.write(tmp_path / "full.wav", sine(1.0, 32_000).T, 32_000)
    data = (tmp_path / "full.wav").read_bytes()
    (tmp_path / "truncated.wav").write_bytes(data[:30])
    with pytest.raises(AudioError, match=r"truncated\.wav"):
        audio.load(tmp_path / "truncated.wav", 32_000)
    sf.write(tmp_path / "zero.wav", np.zeros((0, 1), dtype=np.float32), 32_000)
    with pytest.raises(AudioError, match=r"no samples|not a readable"):
        audio.load(tmp_path / "zero.wav", 32_000)


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        audio.load(tmp_path / "nope.wav", 32_000)


def test_validate_audio_reports_non_finite_and_channels():
    wave = np.zeros((1, 100), dtype=np.float32)
    wave[0, 7] = np.nan
    with pytest.raises(AudioError, match="1 non-finite samples"):
        audio.validate_audio(wave)
    with pytest.raises(AudioError, match="expected 1 channel"):
        audio.validate_audio(np.zeros((2, 10)), channels=1)


def test_is_silent():
    assert audio.is_silent(np.zeros((1, 1000)))
    assert not audio.is_silent(sine(0.1, 32_000))


def test_save_to_unwritable_directory(tmp_path):
    target = tmp_path / "file_not_dir"
    target.write_text("x")
    with pytest.raises(AudioError, match="cannot write"):
        audio.save(target / "out.wav", sine(0.1, 32_000), 32_000)
