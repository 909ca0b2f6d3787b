"""Cost of the synthetic dataset: each stage of one clip, and a whole build.

Run: ``.venv/bin/python bench/synthetic_dataset.py``. Prints milliseconds per 8-second clip for each stage
(music synthesis, dance generation, the librosa beat check, writing the files) with its share of the total
and how many times faster than real time it runs, then the wall time of ``build_synthetic_dataset`` for 24
clips on one process.
"""

import tempfile
import time
from pathlib import Path

import numpy as np
from timing import median_seconds

from mumo.audio import detect_beats, save
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.synthetic.dance import FPS, generate_dance
from mumo.data.synthetic.music import SAMPLE_RATE, synthesize_track
from mumo.data.synthetic.styles import STYLES

CLIP_S = 8.0
BUILD_CLIPS = 24


def main() -> None:
    print(f"{'style':<10} {'stage':<18} {'ms/clip':>9} {'share':>7} {'x real time':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for style in STYLES:
            track = synthesize_track(style, 120.0, CLIP_S, np.random.default_rng(0))
            dance = generate_dance(style, track, round(CLIP_S * FPS), np.random.default_rng(0))
            stages = {
                "music": lambda s=style: synthesize_track(s, 120.0, CLIP_S, np.random.default_rng(0)),
                "dance": lambda s=style, t=track: generate_dance(
                    s, t, round(CLIP_S * FPS), np.random.default_rng(0)
                ),
                "beat check": lambda t=track: detect_beats(t.audio, SAMPLE_RATE),
                "write": lambda t=track, d=dance: (
                    save(Path(tmp) / "x.wav", t.audio, SAMPLE_RATE),
                    np.save(Path(tmp) / "x.npy", d.joints),
                ),
            }
            times = {name: median_seconds(stage, 3) for name, stage in stages.items()}
            total = sum(times.values())
            for name, seconds in times.items():
                print(
                    f"{style.name:<10} {name:<18} {seconds * 1e3:>9.1f} {seconds / total:>7.0%} "
                    f"{CLIP_S / seconds:>12.0f}"
                )
        start = time.perf_counter()
        stats = build_synthetic_dataset(Path(tmp) / "build", BUILD_CLIPS, seed=0)
        wall = time.perf_counter() - start
    print(
        f"build of {BUILD_CLIPS} clips ({stats['total_duration_s']:.0f} s of music and dance): {wall:.1f} s, "
        f"{wall / BUILD_CLIPS * 1e3:.0f} ms/clip, {stats['total_duration_s'] / wall:.0f}x real time"
    )


if __name__ == "__main__":
    main()
