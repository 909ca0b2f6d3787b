"""The AIST++ split and ignore lists: the user's copies when present, else the ones mumo ships.

mumo ships the cross-modal ``crossmodal_train.txt`` (980 sequences), ``crossmodal_test.txt`` (20) and
``ignore_list.txt`` (45) of the AIST++ annotations in ``mumo/data/resources/aistpp`` (CC BY 4.0; see the
README there). ``crossmodal_val.txt`` is not shipped: with the shipped lists a dataset has no validation
clips unless the user's own split folder provides one.

Which lists are read (:func:`resolve_lists`):

- split lists: ``--splits-dir`` if given, else ``ROOT/splits`` if it exists, else the shipped lists;
  train and test lists are required there, the val list is optional;
- ignore list: ``--ignore-list`` if given, else ``ROOT/ignore_list.txt`` if it exists, else the shipped one.

A user list that differs from the shipped copy of the same name is logged and counted in the report, so a
difference between the official download and mumo's copy is never silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from mumo.data.clips import Split
from mumo.errors import DataError

logger = logging.getLogger(__name__)

SPLIT_FILES: dict[Split, str] = {
    "train": "crossmodal_train.txt",
    "val": "crossmodal_val.txt",
    "test": "crossmodal_test.txt",
}
IGNORE_LIST = "ignore_list.txt"
SHIPPED = files("mumo").joinpath("data", "resources", "aistpp")
"""The folder of the lists mumo ships."""
_SHIPPED_NAME = "mumo's copy"
_OPTIONAL: frozenset[Split] = frozenset({"val"})


@dataclass(frozen=True)
class SequenceLists:
    """Which split each sequence belongs to and which sequences to skip.

    Attributes:
        splits: sequence name → ``train`` / ``val`` / ``test``.
        ignored: names on the ignore list.
        sources: list file name → where it was read from (a path or ``mumo's copy``), or why not.
        differences: list file name → ``{"only_here": n, "only_in_mumo": m}`` for user lists that differ
            from the shipped copy.
    """

    splits: dict[str, Split]
    ignored: frozenset[str]
    sources: dict[str, str]
    differences: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_report(self) -> dict[str, Any]:
        """The lists' part of a preparation report."""
        counts = {split: sum(1 for s in self.splits.values() if s == split) for split in SPLIT_FILES}
        return {
            "lists": self.sources,
            "listed_per_split": counts,
            "ignored_listed": len(self.ignored),
            "lists_differing_from_mumo_copy": self.differences,
        }


def read_name_list(path: Traversable) -> list[str]:
    """Sequence names in a split or ignore list (one per line; blank lines and ``.pkl`` suffixes dropped)."""
    names = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [name.removesuffix(".pkl") for name in names if name]


def resolve_lists(
    root: Path, splits_dir: str | Path | None = None, ignore_list: str | Path | None = None
) -> SequenceLists:
    """Read the split and ignore lists by the rules in the module docstring.

    Args:
        root: the AIST++ folder.
        splits_dir: folder holding ``crossmodal_{train,val,test}.txt``.
        ignore_list: an ignore list file.

    Raises:
        DataError: a given folder or file does not exist, a required split list is missing, or a sequence
            is listed in two splits.
    """
    if splits_dir is not None and not Path(splits_dir).is_dir():
        raise DataError(f"split folder {splits_dir} not found")
    if ignore_list is not None and not Path(ignore_list).is_file():
        raise DataError(f"ignore list {ignore_list} not found")
    folder: Traversable = Path(splits_dir) if splits_dir else root / "splits"
    if not folder.is_dir():
        folder = SHIPPED
    ignore: Traversable = Path(ignore_list) if ignore_list else root / IGNORE_LIST
    if not ignore.is_file():
        ignore = SHIPPED / IGNORE_LIST

    sources: dict[str, str] = {}
    differences: dict[str, dict[str, int]] = {}
    splits: dict[str, Split] = {}
    for split, file_name in SPLIT_FILES.items():
        path = folder / file_name
        if not path.is_file():
            if split not in _OPTIONAL:
                raise DataError(
                    f"AIST++ split list {path} not found; pass --splits-dir with the AIST++ annotations' "
                    "splits/ folder, or remove that folder to use mumo's copy "
                    "(format: mumo/data/resources/aistpp/README.md)"
                )
            logger.warning("no %s in %s: the dataset gets no %s clips", file_name, _describe(folder), split)
            sources[file_name] = f"not found, so no {split} clips"
            continue
        names = _read_checked(path, file_name, sources, differences)
        for name in names:
            if splits.get(name, split) != split:
                raise DataError(f"{name} is listed in both the {splits[name]} and the {split} split")
            splits[name] = split
    ignored = frozenset(_read_checked(ignore, IGNORE_LIST, sources, differences))
    return SequenceLists(splits, ignored, sources, differences)


def _describe(path: Traversable) -> str:
    return _SHIPPED_NAME if _is_shipped(path) else str(path)


def _is_shipped(path: Traversable) -> bool:
    return str(path).startswith(str(SHIPPED))


def _read_checked(
    path: Traversable, file_name: str, sources: dict[str, str], differences: dict[str, dict[str, int]]
) -> list[str]:
    """Read one list, record where from, and compare a user list with the shipped copy of that name."""
    names = read_name_list(path)
    sources[file_name] = _describe(path)
    shipped = SHIPPED / file_name
    if not _is_shipped(path) and shipped.is_file():
        own, theirs = set(names), set(read_name_list(shipped))
        if own != theirs:
            differences[file_name] = {"only_here": len(own - theirs), "only_in_mumo": len(theirs - own)}
            logger.warning(
                "%s differs from mumo's copy: %d names only in yours, %d only in mumo's; yours is used",
                path,
                len(own - theirs),
                len(theirs - own),
            )
    return names
