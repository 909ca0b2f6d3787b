"""Music metrics over folders or dicts of clips: the published names when real weights are given, honest
stand-ins otherwise.

* ``fd_melstat``, ``kl_melstat``: always computed with the :mod:`melstat <mumo.metrics.music.melstat>`
  stand-in; never comparable with published numbers.
* ``frechet_distance``, ``kl_softmax``, ``kl_sigmoid`` (PANNs CNN14, 16 kHz) and ``frechet_audio_distance``
  (VGGish, pooled 0.96 s embeddings): only with weight files the user gives. Without them the value is
  ``None`` and ``unavailable`` names the file that is expected — never a substitute number.

KL metrics pair clips by file stem (extension stripped) and need at least 99 % of reference stems matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from mumo.audio import load, resample
from mumo.metrics.frechet import frechet_distance_between
from mumo.metrics.music.divergence import kl_sigmoid, kl_softmax
from mumo.metrics.music.melstat import MelStatEmbedder
from mumo.metrics.music.panns import load_cnn14
from mumo.metrics.music.vggish import load_vggish, log_mel_examples

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
MIN_PAIRED_FRACTION = 0.99
EVAL_SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class MusicMetricWeights:
    """Local weight files of the embedders behind the published music metric names (``None`` = not given)."""

    panns_cnn14: Path | None = None
    vggish: Path | None = None


def load_audio_dir(directory: str | Path, sample_rate: int = EVAL_SAMPLE_RATE) -> dict[str, np.ndarray]:
    """Mono waveforms ``[1, N]`` of every audio file in ``directory``, keyed by file stem."""
    paths = sorted(p for p in Path(directory).iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    return {p.stem: load(p, sample_rate) for p in paths}


def _paired_stems(
    generated: Mapping[str, np.ndarray], reference: Mapping[str, np.ndarray]
) -> list[str] | None:
    stems = sorted(set(generated) & set(reference))
    return stems if reference and len(stems) >= MIN_PAIRED_FRACTION * len(reference) else None


def evaluate_music(
    generated: Mapping[str, np.ndarray],
    reference: Mapping[str, np.ndarray],
    sample_rate: int,
    weights: MusicMetricWeights | None = None,
) -> dict[str, float | dict[str, str] | None]:
    """Music metrics of generated vs. reference clips (mono ``[1, N]`` or ``[N]`` at ``sample_rate`` Hz).

    Returns:
        ``fd_melstat``, ``kl_melstat``, ``frechet_distance``, ``kl_softmax``, ``kl_sigmoid``,
        ``frechet_audio_distance`` (floats, or ``None`` when not computable) and ``unavailable``
        (metric name → reason).
    """
    weights = weights or MusicMetricWeights()
    unavailable: dict[str, str] = {}
    pairs = _paired_stems(generated, reference)
    if pairs is None:
        reason = (
            f"fewer than {MIN_PAIRED_FRACTION:.0%} of reference clips have a generated clip of the same name"
        )
        unavailable.update(dict.fromkeys(("kl_melstat", "kl_softmax", "kl_sigmoid"), reason))

    melstat = MelStatEmbedder()
    result: dict[str, float | dict[str, str] | None] = {
        "fd_melstat": frechet_distance_between(
            melstat.embed_many(list(generated.values()), sample_rate),
            melstat.embed_many(list(reference.values()), sample_rate),
        ),
        "kl_melstat": None,
    }
    if pairs is not None:
        result["kl_melstat"] = kl_softmax(
            np.stack([melstat.logits(reference[s], sample_rate) for s in pairs]),
            np.stack([melstat.logits(generated[s], sample_rate) for s in pairs]),
        )

    result.update(dict.fromkeys(("frechet_distance", "kl_softmax", "kl_sigmoid", "frechet_audio_distance")))
    if weights.panns_cnn14 is None:
        for name in ("frechet_distance", "kl_softmax", "kl_sigmoid"):
            unavailable.setdefault(name, "PANNs CNN14 weights not given (Cnn14_16k_mAP=0.438.pth)")
    else:
        model = load_cnn14(weights.panns_cnn14)
        gen = {k: _cnn14(model, v, sample_rate) for k, v in generated.items()}
        ref = {k: _cnn14(model, v, sample_rate) for k, v in reference.items()}
        result["frechet_distance"] = frechet_distance_between(
            np.stack([e for e, _ in gen.values()]), np.stack([e for e, _ in ref.values()])
        )
        if pairs is not None:
            ref_logits = np.stack([ref[s][1] for s in pairs])
            gen_logits = np.stack([gen[s][1] for s in pairs])
            result["kl_softmax"] = kl_softmax(ref_logits, gen_logits)
            result["kl_sigmoid"] = kl_sigmoid(ref_logits, gen_logits)
    if weights.vggish is None:
        unavailable["frechet_audio_distance"] = "VGGish weights not given (vggish-10086976.pth)"
    else:
        model = load_vggish(weights.vggish)
        result["frechet_audio_distance"] = frechet_distance_between(
            _vggish(model, list(generated.values()), sample_rate),
            _vggish(model, list(reference.values()), sample_rate),
        )
    result["unavailable"] = unavailable
    return result


def _to_eval_rate(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    mono = np.asarray(audio, dtype=np.float32).reshape(1, -1)
    mono = resample(mono - mono.mean(), sample_rate, EVAL_SAMPLE_RATE)[0]
    return np.pad(mono, (0, max(0, 32_000 - mono.size)))


@torch.no_grad()
def _cnn14(model: torch.nn.Module, audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    embedding, logits = model(torch.from_numpy(_to_eval_rate(audio, sample_rate))[None])
    return embedding[0].double().numpy(), logits[0].double().numpy()


@torch.no_grad()
def _vggish(model: torch.nn.Module, clips: list[np.ndarray], sample_rate: int) -> np.ndarray:
    examples = [log_mel_examples(_to_eval_rate(c, sample_rate)) for c in clips]
    return model(torch.from_numpy(np.concatenate(examples))).double().numpy()
