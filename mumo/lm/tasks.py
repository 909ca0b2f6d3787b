"""The tasks of the joint LM, each mapped (in one table) to its streams, mask, conditioning and loss terms."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Task(enum.StrEnum):
    """What the model generates, and from what."""

    JOINT = "joint"
    MUSIC2MOTION = "music2motion"
    MOTION2MUSIC = "motion2music"
    MUSIC = "music"
    MOTION = "motion"


@dataclass(frozen=True)
class TaskSpec:
    """How one task uses the model.

    Attributes:
        music_stream, motion_stream: which token streams are in the sequence.
        music_sees_motion, motion_sees_music: cross-stream visibility, ``"none"``, ``"causal"`` or ``"full"``
            (``"full"`` only where the seen stream is given, never generated).
        generates_music, generates_motion: which streams are predicted (loss terms, sampling).
        music_description, motion_description: whether the description of that modality conditions the task
            (the given modality's description is replaced by the null description).
    """

    music_stream: bool
    motion_stream: bool
    music_sees_motion: str
    motion_sees_music: str
    generates_music: bool
    generates_motion: bool
    music_description: bool
    motion_description: bool


def task_spec(task: Task, full_music_context: bool = False) -> TaskSpec:
    """The spec of ``task``. ``full_music_context`` lets motion see the whole (given) music clip in
    ``music2motion`` (and music the whole motion clip in ``motion2music``) instead of steps <= its own."""
    cross = "full" if full_music_context else "causal"
    return {
        Task.JOINT: TaskSpec(True, True, "causal", "causal", True, True, True, True),
        Task.MUSIC2MOTION: TaskSpec(True, True, "none", cross, False, True, False, True),
        Task.MOTION2MUSIC: TaskSpec(True, True, cross, "none", True, False, True, False),
        Task.MUSIC: TaskSpec(True, False, "none", "none", True, False, True, False),
        Task.MOTION: TaskSpec(False, True, "none", "none", False, True, False, True),
    }[Task(task)]
