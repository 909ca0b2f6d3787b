"""Music metrics of generated vs. reference clips over a list of audio embedders.

Each embedder backs the metric names it declares (see :class:`~mumo.metrics.music.embedder.AudioEmbedder`):

* ``fd_melstat``, ``kl_melstat`` — the weight-free :mod:`melstat <mumo.metrics.music.melstat>` stand-in; never
  comparable with published numbers.
* ``frechet_distance``, ``kl_softmax``, ``kl_sigmoid`` — PANNs CNN14 (16 kHz), and
  ``frechet_audio_distance`` — VGGish (pooled 0.96 s embeddings), only with local weight files. Without them
  the value is ``None`` and ``unavailable`` names the expected file; no substitute number is ever reported
  under those names.

Fréchet distances are unpaired. KL metrics pair clips by file stem (audio extension stripped) and need at
least 99 % of the reference stems matched, as audioldm_eval does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from mumo.audio import load, resample
from mumo.errors import AudioError, DataError
from mumo.metrics.frechet import frechet_distance_between
from mumo.metrics.music.divergence import kl_sigmoid, kl_softmax
from mumo.metrics.music.embedder import FD, KL_SIGMOID, KL_SOFTMAX, AudioEmbedder, AudioEmbeddings
from mumo.metrics.music.melstat import MelStatEmbedder
from mumo.metrics.music.panns import WEIGHTS_FILE_NAME as CNN14_FILE
from mumo.metrics.music.panns import Cnn14Embedder
from mumo.metrics.music.vggish import WEIGHTS_FILE_NAME as VGGISH_FILE
from mumo.metrics.music.vggish import VGGishEmbedder

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
MIN_PAIRED_FRACTION = 0.99
EMBED_BATCH = 32
"""Clips loaded and embedded at a time."""
DEFAULT_WEIGHTS_DIR = Path("pretrained/audio_eval")
"""Where :func:`standard_embedders` looks for the published weight files unless told otherwise."""

ClipSource = str | Path | Mapping[str, np.ndarray]
"""A folder of audio files, or clip name → mono waveform ``[N]`` / ``[1, N]``."""

KL_FUNCTIONS = {KL_SOFTMAX: kl_softmax, KL_SIGMOID: kl_sigmoid}


def standard_embedders(weights_dir: str | Path = DEFAULT_WEIGHTS_DIR) -> list[AudioEmbedder]:
    """melstat, PANNs CNN14 (``<weights_dir>/Cnn14_16k_mAP=0.438.pth``) and VGGish
    (``<weights_dir>/vggish-10086976.pth``); the last two report ``unavailable`` while their file is
    absent."""
    weights_dir = Path(weights_dir)
    return [
        MelStatEmbedder(),
        Cnn14Embedder(weights_dir / CNN14_FILE),
        VGGishEmbedder(weights_dir / VGGISH_FILE),
    ]


def clip_stem(name: str) -> str:
    """A clip name with a known audio extension removed (``x.wav`` and ``x.mp3`` pair with ``x``)."""
    path = Path(name)
    return path.stem if path.suffix.lower() in AUDIO_SUFFIXES else name


def audio_paths(directory: str | Path) -> list[Path]:
    """The audio files of ``directory``, sorted by name.

    Raises:
        DataError: the folder is missing or holds no audio file.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: audio folder not found")
    paths = sorted(p for p in directory.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    if not paths:
        raise DataError(f"{directory}: no audio files ({', '.join(AUDIO_SUFFIXES)}) found")
    return paths


class _Clips:
    """One set of clips, read (folders) or resampled (arrays) in batches at an embedder's sample rate, so a
    large folder is never held in memory whole."""

    def __init__(self, source: ClipSource, sample_rate: int | None, role: str) -> None:
        self._rate = sample_rate
        if isinstance(source, Mapping):
            if sample_rate is None:
                raise AudioError(f"{role} clips are arrays: pass their sample_rate (Hz)")
            if not source:
                raise DataError(f"no {role} clips given")
            self._items: dict[str, Path | np.ndarray] = {clip_stem(k): v for k, v in source.items()}
            count = len(source)
        else:
            paths = audio_paths(source)
            self._items = {p.stem: p for p in paths}
            count = len(paths)
        if len(self._items) != count:
            raise DataError(f"{role} clips: two clips share a name once the audio extension is stripped")
        self.stems = sorted(self._items)
        self.row = {stem: i for i, stem in enumerate(self.stems)}

    def _waveform(self, stem: str, rate: int) -> np.ndarray:
        item = self._items[stem]
        if isinstance(item, Path):
            return load(item, rate)
        return resample(np.asarray(item, dtype=np.float32).reshape(1, -1), self._rate, rate)

    def embed(self, embedder: AudioEmbedder) -> AudioEmbeddings:
        """All clips through ``embedder`` in name order, :data:`EMBED_BATCH` clips at a time."""
        parts = []
        for start in range(0, len(self.stems), EMBED_BATCH):
            stems = self.stems[start : start + EMBED_BATCH]
            parts.append(embedder.embed([self._waveform(s, embedder.sample_rate) for s in stems]))
        logits = None if parts[0].logits is None else np.concatenate([p.logits for p in parts])
        return AudioEmbeddings(np.concatenate([p.embeddings for p in parts]), logits)


def evaluate_music(
    generated: ClipSource,
    reference: ClipSource,
    embedders: Sequence[AudioEmbedder] | None = None,
    sample_rate: int | None = None,
) -> dict[str, object]:
    """Music metrics of generated vs. reference clips.

    Args:
        generated: folder of audio files, or clip name → mono waveform ``[N]`` / ``[1, N]`` (float32).
        reference: the same for the reference (real) clips.
        embedders: networks to compute the metrics with; default :func:`standard_embedders` (``melstat`` plus
            CNN14 and VGGish from :data:`DEFAULT_WEIGHTS_DIR`).
        sample_rate: rate in Hz of the waveforms when clips are given as arrays (folders are read at each
            embedder's own rate).

    Returns:
        Every metric name the embedders declare → Python float, or ``None`` when not computable, plus
        ``unavailable`` (metric name → reason), ``embedders`` (provenance: name, sample rate, weight file and
        SHA-256), ``num_generated``, ``num_reference`` and ``num_paired``.
    """
    embedders = standard_embedders() if embedders is None else list(embedders)
    gen = _Clips(generated, sample_rate, "generated")
    ref = _Clips(reference, sample_rate, "reference")
    paired = sorted(set(gen.stems) & set(ref.stems))
    pairing_ok = len(paired) >= MIN_PAIRED_FRACTION * len(ref.stems)

    result: dict[str, object] = {}
    unavailable: dict[str, str] = {}
    for embedder in embedders:
        names = embedder.metric_names
        reason = embedder.unavailable_reason()
        if reason is not None:
            for name in names.values():
                result[name] = None
                unavailable[name] = reason
            continue
        gen_out, ref_out = gen.embed(embedder), ref.embed(embedder)
        if FD in names:
            if min(len(gen_out.embeddings), len(ref_out.embeddings)) < 2:
                result[names[FD]] = None
                unavailable[names[FD]] = "a Fréchet distance needs at least 2 embedding rows per set"
            else:
                result[names[FD]] = frechet_distance_between(gen_out.embeddings, ref_out.embeddings)
        for kind, function in KL_FUNCTIONS.items():
            if kind not in names:
                continue
            result[names[kind]] = None
            if gen_out.logits is None or ref_out.logits is None:
                unavailable[names[kind]] = f"embedder {embedder.name} gives no class logits"
            elif not pairing_ok:
                unavailable[names[kind]] = (
                    f"only {len(paired)} of {len(ref.stems)} reference clips have a generated clip of the "
                    f"same name (KL needs {MIN_PAIRED_FRACTION:.0%})"
                )
            else:
                gen_rows = [gen.row[stem] for stem in paired]
                ref_rows = [ref.row[stem] for stem in paired]
                result[names[kind]] = function(ref_out.logits[ref_rows], gen_out.logits[gen_rows])
    result["unavailable"] = unavailable
    result["embedders"] = [embedder.describe() for embedder in embedders]
    result["num_generated"], result["num_reference"] = len(gen.stems), len(ref.stems)
    result["num_paired"] = len(paired)
    return result
