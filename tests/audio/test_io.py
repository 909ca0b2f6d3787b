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


@pytest.mark.parametrize("fmt", ["wav", "aiff"])
@pytest.mark.parametrize("keep", [30, 0.5])
def test_truncated_files(tmp_path, fmt, keep):
    sf.write(tmp_path / f"full.{fmt}", sine(1.0, 32_000).T, 32_000)
    data = (tmp_path / f"full.{fmt}").read_bytes()
    cut = keep if isinstance(keep, int) else int(keep * len(data))
    (tmp_path / f"truncated.{fmt}").write_bytes(data[:cut])
    with pytest.raises(AudioError, match=rf"truncated\.{fmt}: (truncated|not a readable|audio has no)"):
        audio.load(tmp_path / f"truncated.{fmt}", 32_000)


def test_streamed_wav_with_placeholder_size_loads(tmp_path):
    sf.write(tmp_path / "full.wav", sine(0.5, 32_000).T, 32_000)
    data = bytearray((tmp_path / "full.wav").read_bytes())
    data_chunk = data.index(b"data")
    data[data_chunk + 4 : data_chunk + 8] = (0xFFFFFFFF).to_bytes(4, "little")
    (tmp_path / "streamed.wav").write_bytes(bytes(data))
    assert audio.load(tmp_path / "streamed.wav", 32_000).shape == (1, 16_000)


def test_other_formats_load(tmp_path):
    for fmt in ("flac", "ogg", "aiff"):
        sf.write(tmp_path / f"x.{fmt}", sine(0.5, 32_000).T, 32_000)
        assert audio.load(tmp_path / f"x.{fmt}", 16_000).shape == (1, 8_000)


def test_zero_sample_wav(tmp_path):
    sf.write(tmp_path / "zero.wav", np.zeros((0, 1), dtype=np.float32), 32_000)
    with pytest.raises(AudioError, match=r"no samples|not a readable"):
        audio.load(tmp_path / "zero.wav", 32_000)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        audio.load(tmp_path / "nope.wav", 32_000)
    with pytest.raises(AudioError, match="is a directory"):
        audio.load(tmp_path, 32_000)


def test_non_finite_samples_in_file(tmp_path):
    wave = sine(0.1, 32_000)
    wave[0, 5] = np.inf
    sf.write(tmp_path / "inf.wav", wave.T, 32_000, subtype="FLOAT")
    with pytest.raises(AudioError, match=r"inf\.wav: 1 non-finite"):
        audio.load(tmp_path / "inf.wav", 32_000)


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


def test_save_rejects_bad_rate_and_clips(tmp_path):
    with pytest.raises(AudioError, match="sample rate"):
        audio.save(tmp_path / "x.wav", sine(0.1, 32_000), 0)
    loud = 3.0 * sine(0.1, 32_000)
    back = audio.load(audio.save(tmp_path / "loud.wav", loud, 32_000), 32_000)
    assert np.abs(back).max() == pytest.approx(1.0, abs=1e-3)
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
