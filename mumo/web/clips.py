"""Held-out demo songs the page offers besides uploads: the test clips of a mumo dataset."""

from __future__ import annotations

from pathlib import Path

from mumo.data.clips import INDEX_FILE, read_index


def demo_songs(data: Path) -> dict[str, Path]:
    """Label (``clip · style · length``) → song file of every test clip of the dataset at ``data``; empty
    when ``data`` is no mumo dataset."""
    if not (data / INDEX_FILE).is_file():
        return {}
    return {
        f"{clip.clip_id} · {clip.style or 'no style'} · {clip.duration_s:.0f} s": data / clip.music_path
        for clip in read_index(data, "test")
        if clip.music_path is not None
    }
