"""Music metrics: Fréchet distances and KL divergences over pluggable audio embedders."""

from mumo.metrics.frechet import frechet_distance, frechet_distance_between
from mumo.metrics.music.divergence import kl_sigmoid, kl_softmax
from mumo.metrics.music.embedder import AudioEmbedder, AudioEmbeddings
from mumo.metrics.music.evaluate import evaluate_music, standard_embedders
from mumo.metrics.music.melstat import MelStatEmbedder
from mumo.metrics.music.panns import Cnn14Embedder
from mumo.metrics.music.vggish import VGGishEmbedder

__all__ = [
    "AudioEmbedder",
    "AudioEmbeddings",
    "Cnn14Embedder",
    "MelStatEmbedder",
    "VGGishEmbedder",
    "evaluate_music",
    "frechet_distance",
    "frechet_distance_between",
    "kl_sigmoid",
    "kl_softmax",
    "standard_embedders",
]
