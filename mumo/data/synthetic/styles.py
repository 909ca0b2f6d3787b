"""The musical styles of the synthetic dataset: drum pattern, bass line, timbre, tempo range, dance moves.

Patterns are on a grid of four steps per beat: ``X`` is an accented hit, ``x`` a soft one, ``.`` a rest.
Every style accents the kick on each beat, so that the beat is what a listener (and a beat tracker) hears.
"""

from __future__ import annotations

from dataclasses import dataclass

STEPS_PER_BEAT = 4


@dataclass(frozen=True)
class Style:
    """One style of procedural music and the dance vocabulary that goes with it.

    Attributes:
        name: style name used in captions.
        tempo_bpm: (low, high) tempo range, beats per minute.
        beats_per_bar: 4 or 3.
        kick, snare, hat: one bar of hits, ``beats_per_bar * STEPS_PER_BEAT`` characters of ``X``/``x``/``.``.
        bass: one bar of bass notes: a scale degree digit (0 = chord root) or ``.`` for rest.
        pad_timbre: ``saw``, ``square``, ``sine`` or ``organ`` (harmonic recipe of the chord pad).
        instruments: words for the music caption.
        moves: names of the dance moves this style draws from (see :mod:`mumo.data.synthetic.dance`).
    """

    name: str
    tempo_bpm: tuple[float, float]
    beats_per_bar: int
    kick: str
    snare: str
    hat: str
    bass: str
    pad_timbre: str
    instruments: str
    moves: tuple[str, ...]


STYLES: tuple[Style, ...] = (
    Style(
        name="house",
        tempo_bpm=(118.0, 132.0),
        beats_per_bar=4,
        kick="X...X...X...X...",
        snare="....x.......x...",
        hat="..x...x...x...x.",
        bass="..0...0...0...4.",
        pad_timbre="saw",
        instruments="four-on-the-floor kick, open hi-hats, saw chords and a pumping bass",
        moves=("bounce", "step_touch", "arm_pump", "turn"),
    ),
    Style(
        name="hip-hop",
        tempo_bpm=(80.0, 98.0),
        beats_per_bar=4,
        kick="X.....x.X...X...",
        snare="....X.......X...",
        hat="x...x...x...x...",
        bass="0.....0...3.....",
        pad_timbre="square",
        instruments="boom-bap drums, closed hi-hats, square-wave keys and a deep bass",
        moves=("bounce", "arm_swing", "squat", "step_touch"),
    ),
    Style(
        name="breakbeat",
        tempo_bpm=(136.0, 160.0),
        beats_per_bar=4,
        kick="X...X.x.X...X...",
        snare="....X..x....X...",
        hat="x.x.x.x.x.x.x.x.",
        bass="0..0..0...3..5..",
        pad_timbre="organ",
        instruments="syncopated breakbeat drums, busy hi-hats, organ stabs and a rolling bass",
        moves=("travel", "turn", "arm_pump", "kick_step"),
    ),
    Style(
        name="waltz",
        tempo_bpm=(84.0, 112.0),
        beats_per_bar=3,
        kick="X...X...X...",
        snare="....x...x...",
        hat="..x...x...x.",
        bass="0.......4...",
        pad_timbre="sine",
        instruments="a gentle three-four pulse, soft sine strings and a walking bass",
        moves=("sway", "arm_swing", "turn", "squat"),
    ),
)
"""The styles, in a fixed order (the dataset draws from them by index)."""
