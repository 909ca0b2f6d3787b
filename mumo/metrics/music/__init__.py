"""Music metrics: Fréchet distances and KL divergences over pluggable audio embedders."""

from mumo.metrics.music.divergence import kl_sigmoid, kl_softmax
from mumo.metrics.music.evaluate import MusicMetricWeights, evaluate_music, load_audio_dir
from mumo.metrics.music.melstat import MelStatEmbedder

__all__ = [
    "MelStatEmbedder",
    "MusicMetricWeights",
    "evaluate_music",
    "kl_sigmoid",
    "kl_softmax",
    "load_audio_dir",
]
