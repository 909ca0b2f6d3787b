"""Token store throughput: writing clips, opening the store, random access, and DataModule batches.

Run: ``.venv/bin/python bench/token_store.py [--clips 20000]``. Prints one table; ratios are relative to the
time of reading one clip's codes straight from an in-memory array.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from mumo.data import TokenDataConfig, TokenStore, TokenStoreWriter
from mumo.data.datamodule import TokenDataModule
from mumo.data.token_store import TokenItem, TokenizerInfo, new_store_meta

K_MUSIC, K_MOTION, CARDINALITY = 4, 4, 2048


def write(root: Path, num_clips: int, frames: int) -> float:
    info = TokenizerInfo("/bench", "", 50.0, K_MUSIC, CARDINALITY)
    rng = np.random.default_rng(0)
    codes = rng.integers(0, CARDINALITY, (K_MUSIC, frames))
    start = time.perf_counter()
    with TokenStoreWriter(root, new_store_meta(info, info)) as writer:
        for number in range(num_clips):
            split = ("train", "val", "test")[number % 3]
            writer.add(TokenItem(f"c{number}", split, codes, codes, "music", "dance", frames / 50.0))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=20_000)
    parser.add_argument("--frames", type=int, default=500, help="code frames per clip (10 s at 50 Hz)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_s = write(root, args.clips, args.frames)
        tracemalloc.start()
        start = time.perf_counter()
        store = TokenStore(root)
        len(store)
        open_s = time.perf_counter() - start
        rows = np.random.default_rng(1).integers(0, args.clips, 2000)
        start = time.perf_counter()
        for row in rows:
            store.codes(int(row))
        access_s = (time.perf_counter() - start) / len(rows)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        in_memory = np.zeros((K_MUSIC, args.clips * args.frames // 10), dtype=np.uint16)
        start = time.perf_counter()
        for row in rows:
            np.asarray(in_memory[:, (row % 10) * args.frames : (row % 10 + 1) * args.frames], dtype=np.int64)
        baseline_s = (time.perf_counter() - start) / len(rows)
        module = TokenDataModule(TokenDataConfig(store=str(root), window_s=5.0, batch_size=32))
        module.setup()
        loader = module.train_dataloader()
        start = time.perf_counter()
        batches = sum(1 for _, _ in zip(range(50), loader, strict=False))
        batch_s = (time.perf_counter() - start) / batches
        code_mb = args.clips * args.frames * (K_MUSIC + K_MOTION) * 2 / 1e6
    print(f"{args.clips} clips x {args.frames} frames, K = {K_MUSIC} + {K_MOTION}, {code_mb:.0f} MB of codes")
    print(f"{'measure':<34}{'value':>14}{'ratio':>10}")
    print(f"{'write (clips/s)':<34}{args.clips / write_s:>14.0f}{'':>10}")
    print(f"{'open store (ms)':<34}{open_s * 1e3:>14.2f}{'':>10}")
    print(f"{'random clip read (us)':<34}{access_s * 1e6:>14.1f}{access_s / baseline_s:>10.1f}")
    print(f"{'in-memory slice baseline (us)':<34}{baseline_s * 1e6:>14.1f}{1.0:>10.1f}")
    print(f"{'python heap peak open+2000 reads (MB)':<34}{peak / 1e6:>14.2f}{peak / 1e6 / code_mb:>10.3f}")
    print(f"{'DataModule batch of 32 x 5 s (ms)':<34}{batch_s * 1e3:>14.2f}{'':>10}")


if __name__ == "__main__":
    main()
