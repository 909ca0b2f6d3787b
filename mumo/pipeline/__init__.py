"""Generation for users: :func:`load` a trained model, then dance to music, make music for a dance, or both.

See :mod:`mumo.pipeline.pipeline` for an example; ``mumo generate`` is the command-line face of the same.
"""

from mumo.pipeline.bundle import Components, GenerationSettings, load_components, save_bundle
from mumo.pipeline.pipeline import Pipeline, load
from mumo.pipeline.results import DanceResult, JointResult, MusicResult, Performance

__all__ = [
    "Components",
    "DanceResult",
    "GenerationSettings",
    "JointResult",
    "MusicResult",
    "Performance",
    "Pipeline",
    "load",
    "load_components",
    "save_bundle",
]
