"""The on-disk layout of a token store, and the records it holds.

A token store directory holds::

    store.json                  StoreMeta: code frame rate and dtype, the two tokenizers, item/shard counts
    shards/00000.music.npy      music codes of the shard's clips, concatenated in time: [K_music, T_shard]
    shards/00000.motion.npy     motion codes of the same clips, same time axis:       [K_motion, T_shard]
    shards/00000.items.jsonl    one line per clip of the shard (offset, length, captions, split, ...);
                                written last, so a shard without it is unfinished and rebuilt on resume
    index.npy                   structured array, one row per clip (shard, offset, length, split, ...),
                                memory-mapped by the reader
    strings.bin                 UTF-8 clip ids and captions that index rows point into
    report.json                 read / written / skipped counts and the reason for every skipped clip

Music and motion codes of one clip have the same number of frames ``T``: the longer stream is trimmed to the
shorter when the clip is written, and both original lengths are kept in the index. Codes are stored as
``uint16`` when the codebooks have at most 65 536 entries, ``int32`` otherwise.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mumo.data.clips import Split
from mumo.errors import DataError

STORE_FILE = "store.json"
INDEX_ARRAY_FILE = "index.npy"
STRINGS_FILE = "strings.bin"
SHARDS_DIR = "shards"
STORE_VERSION = 1
SPLITS: tuple[Split, ...] = ("train", "val", "test")
"""Split names; a clip's split is stored as its position in this tuple."""

INDEX_DTYPE = np.dtype(
    [
        ("shard", "<i4"),
        ("offset", "<i8"),
        ("length", "<i4"),
        ("split", "<i1"),
        ("duration_s", "<f4"),
        ("music_frames", "<i4"),
        ("motion_frames", "<i4"),
        ("clip_id", "<i8", (2,)),
        ("music_text", "<i8", (2,)),
        ("motion_text", "<i8", (2,)),
        ("style", "<i8", (2,)),
    ]
)
"""One index row. String fields are ``(byte offset, byte length)`` into ``strings.bin``."""

STRING_FIELDS = ("clip_id", "music_text", "motion_text", "style")


def shard_paths(root: Path, shard: int) -> tuple[Path, Path, Path]:
    """The music codes, motion codes and item list paths of shard number ``shard``."""
    stem = root / SHARDS_DIR / f"{shard:05d}"
    return stem.with_suffix(".music.npy"), stem.with_suffix(".motion.npy"), stem.with_suffix(".items.jsonl")


def code_dtype(cardinality: int) -> np.dtype:
    """The smallest type for codes in ``[0, cardinality)``: uint16 up to 65 536 entries, else int32."""
    return np.dtype(np.uint16) if cardinality <= 1 << 16 else np.dtype(np.int32)


@dataclass(frozen=True)
class TokenizerInfo:
    """Which tokenizer made one stream of a store.

    Attributes:
        directory: the tokenizer's directory (as given when the store was built, made absolute).
        config_sha256: SHA-256 of the directory's ``config.json``; tells whether the tokenizer changed since.
        frame_rate: code frames per second, Hz.
        num_codebooks: K, the parallel code streams.
        cardinality: entries per codebook.
    """

    directory: str
    config_sha256: str
    frame_rate: float
    num_codebooks: int
    cardinality: int

    @classmethod
    def describe(cls, directory: str | Path, tokenizer: Any) -> TokenizerInfo:
        """Describe a loaded tokenizer (anything with ``frame_rate``, ``num_codebooks``, ``cardinality``)."""
        directory = Path(directory).resolve()
        return cls(
            directory=str(directory),
            config_sha256=config_hash(directory),
            frame_rate=float(tokenizer.frame_rate),
            num_codebooks=int(tokenizer.num_codebooks),
            cardinality=int(tokenizer.cardinality),
        )


def config_hash(directory: str | Path) -> str:
    """SHA-256 hex digest of ``directory/config.json``, or ``""`` when the directory has none."""
    path = Path(directory) / "config.json"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


@dataclass(frozen=True)
class StoreMeta:
    """The contents of ``store.json``.

    Attributes:
        music: the music tokenizer.
        motion: the motion tokenizer.
        frame_rate: code frames per second shared by both streams, Hz (50 for EnCodec at 32 kHz).
        code_dtype: numpy dtype name of the stored codes.
        source: the dataset directory the store was built from ("" when written directly).
        num_items: clips in the finished store (0 while building).
        num_shards: shards in the finished store (0 while building).
        complete: whether the index has been written (``False`` while building or after an interruption).
        version: layout version.
    """

    music: TokenizerInfo
    motion: TokenizerInfo
    frame_rate: float
    code_dtype: str
    source: str = ""
    num_items: int = 0
    num_shards: int = 0
    complete: bool = False
    version: int = STORE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> StoreMeta:
        """Parse ``store.json`` contents; ``where`` names the file in errors.

        Raises:
            DataError: missing or unknown keys, or a layout version this code does not read.
        """
        try:
            meta = cls(
                **{
                    **data,
                    "music": TokenizerInfo(**data["music"]),
                    "motion": TokenizerInfo(**data["motion"]),
                }
            )
        except (KeyError, TypeError) as exc:
            raise DataError(f"{where}: malformed token store metadata ({exc}); rebuild the store") from None
        if meta.version != STORE_VERSION:
            raise DataError(
                f"{where}: token store layout version {meta.version}, this mumo reads {STORE_VERSION}; "
                "rebuild it with `mumo tokenize dataset`"
            )
        return meta

    def same_tokenizers(self, other: StoreMeta) -> bool:
        """Whether both stores were made by the same tokenizer configurations at the same frame rate."""
        return (
            self.music.config_sha256 == other.music.config_sha256
            and self.motion.config_sha256 == other.motion.config_sha256
            and self.music.num_codebooks == other.music.num_codebooks
            and self.motion.num_codebooks == other.motion.num_codebooks
            and self.frame_rate == other.frame_rate
        )


@dataclass(frozen=True)
class TokenItem:
    """One clip's codes and texts.

    Attributes:
        clip_id: unique clip name.
        split: ``train``, ``val`` or ``test``.
        music_codes: ``[K_music, T]`` integer codes at the store's frame rate.
        motion_codes: ``[K_motion, T]`` integer codes (the same ``T`` once stored).
        music_text: description of the music.
        motion_text: description of the dance.
        duration_s: clip length in seconds (of the source clip).
        music_frames: music code frames before trimming to the shorter stream.
        motion_frames: motion code frames before trimming.
        style: genre or style label ("" if unknown).
    """

    clip_id: str
    split: Split
    music_codes: np.ndarray
    motion_codes: np.ndarray
    music_text: str
    motion_text: str
    duration_s: float
    music_frames: int = -1
    motion_frames: int = -1
    style: str = ""
