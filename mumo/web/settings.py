"""The sampling settings of one generation of the web page, and the ``mumo generate`` command that
reproduces it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """How one generation samples.

    Attributes:
        guidance: classifier-free guidance scale (1 = off).
        temperature: sampling temperature (0 = greedy).
        seed: sampling seed.
        duration_s: seconds to generate; ``None``: the whole input (10 s for joint generation).
    """

    guidance: float = 4.0
    temperature: float = 1.0
    seed: int = 0
    duration_s: float | None = None

    def sampling(self) -> dict[str, float | int]:
        """Keyword arguments of the :class:`~mumo.pipeline.Pipeline` methods (besides the duration)."""
        return {"guidance": self.guidance, "temperature": self.temperature, "seed": self.seed}

    def command(self, checkpoint: Path, inputs: dict[str, str], out: str) -> str:
        """The shell command ``mumo generate`` with ``inputs`` (option → value, e.g. ``{"--music":
        "song.wav"}``; empty values left out) and these settings, writing into ``out``: it gives the same
        files."""
        given = [part for option, value in inputs.items() if value for part in (option, value)]
        argv = [
            "mumo", "generate", "--checkpoint", str(checkpoint), *given,
            "--guidance", repr(float(self.guidance)), "--temperature", repr(float(self.temperature)),
            "--seed", str(self.seed),
        ]  # fmt: skip
        if self.duration_s is not None:
            argv += ["--duration", repr(float(self.duration_s))]
        return shlex.join([*argv, "--out", out])
