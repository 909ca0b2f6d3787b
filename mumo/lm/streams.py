"""The two token streams of the joint LM."""

from __future__ import annotations

import enum


class Stream(enum.StrEnum):
    """A token stream of the joint LM, in the order the model lays them out (``[music steps | motion
    steps]``)."""

    MUSIC = "music"
    MOTION = "motion"

    @property
    def other(self) -> Stream:
        """The other stream."""
        return Stream.MOTION if self is Stream.MUSIC else Stream.MUSIC
