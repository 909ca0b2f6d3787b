"""The one builder of a run's LM: training, evaluation, ``mumo bundle`` and ``mumo.load`` all call it."""

from __future__ import annotations

from mumo.lm import MusicMotionLM
from mumo.train.config import ModelSection


def build_model(section: ModelSection) -> MusicMotionLM:
    """The LM the ``model`` section of a run describes, before any checkpoint is loaded into it.

    With ``musicgen_directory``, the whole local MusicGen is imported (music stream, its frozen T5, tokenizer
    and projection; motion parts copied from the music parts) and only ``dropout`` and ``layout`` are read
    besides it (the section refuses the shape keys at load time); otherwise a fresh LM of the section's shape
    and layout is built.

    Raises:
        CheckpointError: the MusicGen directory is missing or its weights do not fit.
    """
    if section.musicgen_directory:
        return MusicMotionLM.from_musicgen(
            section.musicgen_directory,
            dropout=section.dropout,
            layout=section.layout,
            music_context_layers=section.music_context_layers,
        )
    return MusicMotionLM(section.lm_config())
