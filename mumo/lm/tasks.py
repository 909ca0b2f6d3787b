"""The tasks of the joint LM, each mapped (in one table) to its streams, mask, conditioning and loss terms."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mumo.lm.masks import Visibility
from mumo.lm.streams import Stream


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
        music_sees_motion, motion_sees_music: cross-stream :class:`~mumo.lm.masks.Visibility` (``FULL`` only
            where the seen stream is given, never generated).
        generates_music, generates_motion: which streams are predicted (loss terms, sampling).
        music_description, motion_description: whether the description of that modality conditions the task
            (the given modality's description is replaced by the null description).
    """

    music_stream: bool
    motion_stream: bool
    music_sees_motion: Visibility
    motion_sees_music: Visibility
    generates_music: bool
    generates_motion: bool
    music_description: bool
    motion_description: bool

    def has(self, stream: Stream) -> bool:
        """Whether ``stream`` is in the sequence."""
        return self.music_stream if stream is Stream.MUSIC else self.motion_stream

    def generates(self, stream: Stream) -> bool:
        """Whether ``stream`` is predicted (else it is given, or absent)."""
        return self.generates_music if stream is Stream.MUSIC else self.generates_motion

    def sees_other(self, stream: Stream) -> Visibility:
        """How much of the other stream the steps of ``stream`` see."""
        return self.music_sees_motion if stream is Stream.MUSIC else self.motion_sees_music


def task_spec(task: Task, full_music_context: bool = False) -> TaskSpec:
    """The spec of ``task``. ``full_music_context`` lets motion see the whole (given) music clip in
    ``music2motion`` (and music the whole motion clip in ``motion2music``) instead of steps <= its own."""
    given = Visibility.FULL if full_music_context else Visibility.CAUSAL
    none, causal = Visibility.NONE, Visibility.CAUSAL
    both_streams = {"music_stream": True, "motion_stream": True}
    return {
        Task.JOINT: TaskSpec(
            **both_streams, music_sees_motion=causal, motion_sees_music=causal,
            generates_music=True, generates_motion=True, music_description=True, motion_description=True,
        ),
        Task.MUSIC2MOTION: TaskSpec(
            **both_streams, music_sees_motion=none, motion_sees_music=given,
            generates_music=False, generates_motion=True, music_description=False, motion_description=True,
        ),
        Task.MOTION2MUSIC: TaskSpec(
            **both_streams, music_sees_motion=given, motion_sees_music=none,
            generates_music=True, generates_motion=False, music_description=True, motion_description=False,
        ),
        Task.MUSIC: TaskSpec(
            music_stream=True, motion_stream=False, music_sees_motion=none, motion_sees_music=none,
            generates_music=True, generates_motion=False, music_description=True, motion_description=False,
        ),
        Task.MOTION: TaskSpec(
            music_stream=False, motion_stream=True, music_sees_motion=none, motion_sees_music=none,
            generates_music=False, generates_motion=True, music_description=False, motion_description=True,
        ),
    }[Task(task)]  # fmt: skip
