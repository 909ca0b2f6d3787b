"""Exceptions that mumo raises for bad input.

Every error a user can cause derives from :class:`MumoError`; the command line prints such an error as one
line (``error: ...``) and exits with status 2 instead of showing a traceback.
"""


class MumoError(Exception):
    """Base class of all user-facing mumo errors."""


class ConfigError(MumoError):
    """A configuration file or override is invalid (unknown key, wrong type, missing file)."""


class AudioError(MumoError):
    """An audio file is missing, empty, truncated, unreadable or has unusable content."""


class MotionError(MumoError):
    """A motion array has the wrong shape, too few frames, or non-finite values."""


class DataError(MumoError):
    """A dataset directory or one of its items is missing or malformed."""


class CheckpointError(MumoError):
    """A checkpoint or pretrained directory is missing, incompatible, or has missing/unexpected tensors."""


class LimitError(MumoError):
    """A request exceeds a limit of the web page (length of an upload, duration to generate)."""
