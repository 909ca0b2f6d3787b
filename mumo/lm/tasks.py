"""The tasks of the joint LM and the attention layouts, mapped (in one table, layout x task) to their streams,
mask, conditioning and loss terms."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

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


class Layout(enum.StrEnum):
    """The attention-layout variant a model is trained and sampled with (``LMConfig.layout``): how a stream
    that is *given* (never generated) is seen by the stream generated from it. Generated streams are always
    seen causally."""

    CAUSAL = "causal"
    """The given stream is seen at steps <= the seeing stream's own, as a generated one would be: in
    ``music2motion`` motion step ``s`` sees music steps <= ``s``, in ``motion2music`` the mirror image. The
    published layout, and the default."""
    GIVEN_FULL = "given_full"
    """The given stream is seen whole: in ``music2motion`` every motion step sees the whole given music, in
    ``motion2music`` every music step sees the whole given motion. The other tasks are as in ``CAUSAL``."""


_CAUSAL_SPECS: dict[Task, TaskSpec] = {
    Task.JOINT: TaskSpec(
        music_stream=True, motion_stream=True, music_sees_motion=Visibility.CAUSAL,
        motion_sees_music=Visibility.CAUSAL, generates_music=True, generates_motion=True,
        music_description=True, motion_description=True,
    ),
    Task.MUSIC2MOTION: TaskSpec(
        music_stream=True, motion_stream=True, music_sees_motion=Visibility.NONE,
        motion_sees_music=Visibility.CAUSAL, generates_music=False, generates_motion=True,
        music_description=False, motion_description=True,
    ),
    Task.MOTION2MUSIC: TaskSpec(
        music_stream=True, motion_stream=True, music_sees_motion=Visibility.CAUSAL,
        motion_sees_music=Visibility.NONE, generates_music=True, generates_motion=False,
        music_description=True, motion_description=False,
    ),
    Task.MUSIC: TaskSpec(
        music_stream=True, motion_stream=False, music_sees_motion=Visibility.NONE,
        motion_sees_music=Visibility.NONE, generates_music=True, generates_motion=False,
        music_description=True, motion_description=False,
    ),
    Task.MOTION: TaskSpec(
        music_stream=False, motion_stream=True, music_sees_motion=Visibility.NONE,
        motion_sees_music=Visibility.NONE, generates_music=False, generates_motion=True,
        music_description=False, motion_description=True,
    ),
}  # fmt: skip

TASK_SPECS: dict[Layout, dict[Task, TaskSpec]] = {
    Layout.CAUSAL: _CAUSAL_SPECS,
    Layout.GIVEN_FULL: {
        **_CAUSAL_SPECS,
        Task.MUSIC2MOTION: replace(_CAUSAL_SPECS[Task.MUSIC2MOTION], motion_sees_music=Visibility.FULL),
        Task.MOTION2MUSIC: replace(_CAUSAL_SPECS[Task.MOTION2MUSIC], music_sees_motion=Visibility.FULL),
    },
}
"""The one table of the attention layouts: layout -> task -> spec. A new layout is one entry here (the causal
specs with the rows it changes) and one :class:`Layout` value; masks, losses and sampling follow."""


def task_spec(task: Task | str, layout: Layout | str = Layout.CAUSAL) -> TaskSpec:
    """The spec of ``task`` under ``layout`` (the model's ``config.layout``), read from :data:`TASK_SPECS`.

    Raises:
        ValueError: an unknown task or layout name.
    """
    return TASK_SPECS[Layout(layout)][Task(task)]
