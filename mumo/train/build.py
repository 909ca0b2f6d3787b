"""The one builder of a run's LM: training, evaluation, ``mumo bundle`` and ``mumo.load`` all call it."""

from __future__ import annotations

from mumo.lm import MusicMotionLM
from mumo.lm.musicgen_import import TRAINING_SETTINGS
from mumo.train.config import ModelSection


def build_model(section: ModelSection) -> MusicMotionLM:
    """The LM the ``model`` section of a run describes, before any checkpoint is loaded into it.

    With ``musicgen_directory``, the whole local MusicGen is imported (music stream, its frozen T5, tokenizer
    and projection; motion parts copied from the music parts) and only the training's settings are read
    besides it (``TRAINING_SETTINGS``: ``dropout``, ``layout``, the stream contexts' layers; the section
    refuses the shape keys at load time); otherwise a fresh LM of the section's shape and layout is built.

    Raises:
        CheckpointError: the MusicGen directory is missing or its weights do not fit.
    """
    if section.musicgen_directory:
        settings = {name: getattr(section, name) for name in TRAINING_SETTINGS}
        return MusicMotionLM.from_musicgen(section.musicgen_directory, **settings)
    return MusicMotionLM(section.lm_config())
