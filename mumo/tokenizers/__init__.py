"""Music and motion tokenizers: the :class:`Tokenizer` protocol, residual VQ, the motion VQ-VAE, the audio
codecs, and :func:`load_tokenizer` to open any saved tokenizer directory."""

from __future__ import annotations

from pathlib import Path

from mumo.errors import CheckpointError
from mumo.tokenizers.artifacts import read_config
from mumo.tokenizers.audio_codec import AudioCodec, AudioCodecConfig
from mumo.tokenizers.base import Tokenizer
from mumo.tokenizers.encodec_tokenizer import ENCODEC_MODEL_TYPE, EncodecTokenizer
from mumo.tokenizers.motion_tokenizer import MOTION_KIND, MotionTokenizer
from mumo.tokenizers.motion_vqvae import MotionVQVAE, MotionVQVAEConfig
from mumo.tokenizers.music_tokenizer import MUSIC_KIND, MusicTokenizer
from mumo.tokenizers.rvq import ResidualVectorQuantizer, RVQConfig

_LOADERS = {MOTION_KIND: MotionTokenizer.load, MUSIC_KIND: MusicTokenizer.load}


def load_tokenizer(directory: str | Path) -> Tokenizer:
    """Open the tokenizer saved in ``directory``, chosen by the ``kind`` in its ``config.json``; a
    transformers EnCodec directory (``model_type: "encodec"``) opens as an :class:`EncodecTokenizer`.

    Raises:
        CheckpointError: the directory has no ``config.json``, an unknown kind, or unusable weights.
    """
    config = read_config(directory)
    if "kind" not in config and config.get("model_type") == ENCODEC_MODEL_TYPE:
        return EncodecTokenizer.load(directory)
    kind = config.get("kind")
    if kind not in _LOADERS:
        raise CheckpointError(
            f"{directory}/config.json has tokenizer kind {kind!r}; expected one of {sorted(_LOADERS)} "
            "or a transformers EnCodec directory"
        )
    return _LOADERS[kind](directory)


__all__ = [
    "AudioCodec",
    "AudioCodecConfig",
    "EncodecTokenizer",
    "MotionTokenizer",
    "MotionVQVAE",
    "MotionVQVAEConfig",
    "MusicTokenizer",
    "RVQConfig",
    "ResidualVectorQuantizer",
    "Tokenizer",
    "load_tokenizer",
]
