"""MusicCaps → an evaluation prompt set (the captions only; the audio lives on YouTube and is not fetched).

Input: ``musiccaps-public.csv`` with columns ``ytid, start_s, end_s, audioset_positive_labels,
aspect_list, caption, author_id, is_balanced_subset, is_audioset_eval``. Output: ``prompts.jsonl``, one
:class:`MusicPrompt` per line, and ``report.json``.
"""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from mumo.data.adapters.tables import read_table
from mumo.data.item_report import ItemReport
from mumo.errors import DataError

PROMPTS_FILE = "prompts.jsonl"


@dataclass(frozen=True)
class MusicPrompt:
    """One text prompt for music generation.

    Attributes:
        prompt_id: ``<ytid>_<start_s>``.
        caption: the free-text description.
        aspects: short descriptors (``aspect_list``).
        duration_s: length of the described excerpt, seconds.
        audioset_eval: whether the excerpt belongs to AudioSet's evaluation set.
    """

    prompt_id: str
    caption: str
    aspects: tuple[str, ...]
    duration_s: float
    audioset_eval: bool


def parse_prompt(row: dict[str, str]) -> MusicPrompt:
    """One CSV row as a prompt.

    Raises:
        DataError: empty caption, bad times or an unreadable aspect list.
    """
    caption = (row.get("caption") or "").strip()
    if not caption:
        raise DataError("empty caption")
    try:
        start, end = float(row["start_s"]), float(row["end_s"])
    except (KeyError, ValueError):
        raise DataError(f"bad start_s/end_s {row.get('start_s')!r}/{row.get('end_s')!r}") from None
    if end <= start:
        raise DataError(f"end_s {end} is not after start_s {start}")
    try:
        aspects = ast.literal_eval(row.get("aspect_list") or "[]")
    except (ValueError, SyntaxError):
        raise DataError(f"unreadable aspect_list {row.get('aspect_list')!r}") from None
    if not isinstance(aspects, list | tuple):
        raise DataError(f"aspect_list must be a list, got {row.get('aspect_list')!r}")
    return MusicPrompt(
        prompt_id=f"{row['ytid']}_{start:g}",
        caption=caption,
        aspects=tuple(str(a) for a in aspects),
        duration_s=end - start,
        audioset_eval=(row.get("is_audioset_eval") or "").strip().lower() == "true",
    )


def prepare_musiccaps(csv_path: str | Path, out: str | Path) -> ItemReport:
    """Write ``out/prompts.jsonl`` from the MusicCaps CSV; bad rows are skipped and reported.

    Raises:
        DataError: the CSV is missing or has no ``ytid`` column.
    """
    rows = read_table(Path(csv_path), "ytid")
    report = ItemReport()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for ytid, row in rows.items():
        try:
            lines.append(json.dumps(asdict(parse_prompt(row)), sort_keys=True))
            report.wrote()
        except DataError as exc:
            report.skip(ytid, str(exc))
    tmp = out / f".{PROMPTS_FILE}.tmp"
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(out / PROMPTS_FILE)
    report.save(out)
    return report


def read_prompts(path: str | Path) -> list[MusicPrompt]:
    """Read a ``prompts.jsonl`` written by :func:`prepare_musiccaps`, in file order.

    Raises:
        DataError: the file is missing, a line is malformed or has an empty caption, or two lines share a
            prompt id.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"prompt file {path} not found; create it with `mumo prepare musiccaps`")
    prompts: dict[str, MusicPrompt] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            prompt = MusicPrompt(**{**row, "aspects": tuple(row["aspects"])})
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise DataError(f"{path}:{number}: malformed prompt ({exc})") from None
        if not isinstance(prompt.caption, str) or not prompt.caption.strip():
            raise DataError(f"{path}:{number}: malformed prompt (empty caption)")
        if prompt.prompt_id in prompts:
            raise DataError(f"{path}:{number}: prompt id {prompt.prompt_id!r} appears twice")
        prompts[prompt.prompt_id] = prompt
    return list(prompts.values())
