"""Music4All → mumo dataset of music-only clips with text captions (dances are added by pairing).

Expected input::

    ROOT/audios/<id>.mp3        30 s excerpts (any format libsndfile reads; .mp3, .wav, .flac, .ogg)
    ROOT/id_genres.csv          columns id, genres (comma-separated)      tab- or comma-separated
    ROOT/id_tags.csv            columns id, tags (comma-separated)         optional
    ROOT/id_metadata.csv        columns id, ..., tempo (BPM), ...          optional

Clips are listed by ``id_genres.csv``. Captions read e.g. ``rock, indie music; tags: energetic, guitar;
120 BPM``. Music4All has no official split, so each id is assigned by a hash of the id: 90 % train,
5 % val, 5 % test (stable across runs and machines).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mumo.audio import load as load_audio
from mumo.data.adapters.output import DatasetWriter
from mumo.data.adapters.tables import read_table
from mumo.data.clips import MUSIC_SAMPLE_RATE, Split
from mumo.data.item_report import ItemReport
from mumo.errors import AudioError, MumoError

AUDIO_SUFFIXES = (".mp3", ".wav", ".flac", ".ogg")
MAX_TAGS = 5


def hash_split(clip_id: str) -> Split:
    """``train`` / ``val`` / ``test`` with probabilities 0.90 / 0.05 / 0.05 from the SHA-1 of ``clip_id``."""
    bucket = int(hashlib.sha1(clip_id.encode("utf-8")).hexdigest(), 16) % 100
    return "train" if bucket < 90 else "val" if bucket < 95 else "test"


def music_caption(genres: str, tags: str, tempo: str) -> str:
    """Caption from comma-separated genres and tags and a tempo in BPM (any may be empty)."""
    parts = [f"{', '.join(g.strip() for g in genres.split(',') if g.strip()) or 'unknown genre'} music"]
    tag_list = [t.strip() for t in tags.split(",") if t.strip()][:MAX_TAGS]
    if tag_list:
        parts.append(f"tags: {', '.join(tag_list)}")
    try:
        if float(tempo) > 0:
            parts.append(f"{float(tempo):.0f} BPM")
    except ValueError:
        pass
    return "; ".join(parts)


def find_audio(audio_dir: Path, clip_id: str) -> Path:
    """The audio file of ``clip_id`` (first of :data:`AUDIO_SUFFIXES` that exists).

    Raises:
        AudioError: no audio file for this id.
    """
    for suffix in AUDIO_SUFFIXES:
        path = audio_dir / f"{clip_id}{suffix}"
        if path.is_file():
            return path
    raise AudioError(f"no audio file {clip_id}.mp3 (or .wav/.flac/.ogg) in {audio_dir}")


def prepare_music4all(root: str | Path, out: str | Path, max_duration_s: float | None = None) -> ItemReport:
    """Write Music4All in mumo's dataset layout (music-only clips; input layout in the module docstring).

    Args:
        root: the Music4All folder.
        out: output dataset directory.
        max_duration_s: keep at most this many seconds of each track (from its start).

    Returns:
        The run's report (also ``out/report.json``).

    Raises:
        DataError: ``id_genres.csv`` is missing or malformed.
    """
    root = Path(root)
    genres = read_table(root / "id_genres.csv", "id")
    tags = read_table(root / "id_tags.csv", "id") if (root / "id_tags.csv").is_file() else {}
    metadata = read_table(root / "id_metadata.csv", "id") if (root / "id_metadata.csv").is_file() else {}
    writer = DatasetWriter(out, source=f"Music4All {root}")
    for clip_id, row in genres.items():
        try:
            audio = load_audio(find_audio(root / "audios", clip_id), MUSIC_SAMPLE_RATE)
            if max_duration_s is not None:
                audio = audio[:, : int(max_duration_s * MUSIC_SAMPLE_RATE)]
            tempo = metadata.get(clip_id, {}).get("tempo", "")
            caption = music_caption(row.get("genres", ""), tags.get(clip_id, {}).get("tags", ""), tempo)
            bpm = float(tempo) if tempo.replace(".", "", 1).isdigit() else None
            writer.add(clip_id, hash_split(clip_id), audio, None, caption, "", tempo_bpm=bpm)
        except MumoError as exc:
            writer.skip(clip_id, f"{type(exc).__name__}: {exc}")
    return writer.close()
