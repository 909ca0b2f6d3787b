"""Generation speed of the joint LM, side by side in one run.

(a) mumo's cached generation vs. its full-prefix recompute path (what the published system did at every
    step), joint music + motion, greedy, guidance 3, at a small width and at MusicGen-small's shape. Where
    ``--recompute-frames`` is below ``--frames``, the recompute time is extrapolated from runs of that many
    frames and half as many with ``t(n) = a n + b n^2`` over the ``n`` decoding steps, and the row says so;
(b) mumo's music-only generation vs. transformers' ``MusicgenForCausalLM.generate`` on identical imported
    weights and description states, same length, greedy, guidance 3, with the share of equal codes;
(c) eager vs. compiled decoding (``generate(compile=True)``: inductor, CUDA graphs on a GPU), joint 10 s with
    sampling; the compiled time excludes the first (compiling) call, which is reported beside it.
(d) mumo's text-to-music generation vs. transformers' ``MusicgenForConditionalGeneration.generate`` on
    identical imported weights (T5, projection, decoder) and the same padded text prompts, greedy, with
    guidance: the time of each and the share of identical codes (greedy decoding of the same model: 100 %).

Random weights (speed does not depend on them). ``--quick``: the small shape only, 50 frames.
"""

from __future__ import annotations

import argparse
import time

import torch
from lm_setups import GUIDANCE, MUSICGEN_SMALL, SMALL, music_vs_transformers, transformers_twin
from timing import median_seconds

from mumo.lm.config import LMConfig
from mumo.lm.generate import generate
from mumo.lm.model import MusicMotionLM
from mumo.lm.musicgen_import import random_musicgen
from mumo.lm.tasks import Task

ROW = "{:62s} {:>13s} {:>9s} {:>10s} {:>8s}  {}"


def joint(model: MusicMotionLM, frames: int, **kwargs: object) -> None:
    """Joint generation, greedy unless ``kwargs`` say otherwise."""
    generate(
        model, Task.JOINT, num_frames=frames, batch_size=1, guidance_scale=GUIDANCE,
        music_descriptions=["house"], motion_descriptions=["bounce"],
        **{"temperature": 0.0, **kwargs},  # type: ignore[arg-type]
    )  # fmt: skip


def cached_vs_recompute(
    model: MusicMotionLM, frames: int, recompute_frames: int, device: str
) -> tuple[float, float, str]:
    """Cached and recompute seconds for ``frames`` frames, and how the recompute time was obtained."""
    joint(model, 4)  # warm-up
    cached = median_seconds(lambda: joint(model, frames), device=device)
    if recompute_frames >= frames:
        return (
            cached,
            median_seconds(lambda: joint(model, frames, use_cache=False), device=device),
            "measured",
        )
    k = model.config.num_codebooks
    short = [recompute_frames // 2, recompute_frames]
    times = [median_seconds(lambda n=n: joint(model, n, use_cache=False), device=device) for n in short]
    steps = [n + k - 1 for n in short]
    # t = a n + b n^2 through both points
    b = (times[1] / steps[1] - times[0] / steps[0]) / (steps[1] - steps[0])
    a = times[1] / steps[1] - b * steps[1]
    target = frames + k - 1
    return cached, a * target + b * target**2, f"extrapolated from {short[0]} and {short[1]} frames"


def eager_vs_compiled(model: MusicMotionLM, frames: int, device: str) -> tuple[float, float, float]:
    """Eager seconds, compiled seconds and the first compiled call's seconds (compilation included)."""
    kwargs: dict[str, object] = {"temperature": 1.0, "seed": 0}
    eager = median_seconds(lambda: joint(model, frames, **kwargs), device=device, warm_up=True)
    start = time.perf_counter()
    joint(model, frames, compile=True, **kwargs)
    first = time.perf_counter() - start
    compiled = median_seconds(lambda: joint(model, frames, compile=True, **kwargs), device=device)
    return eager, compiled, first


PROMPTS = ["an upbeat house track with a deep bass line", "calm piano"]


def text_to_music_vs_transformers(config: LMConfig, frames: int, device: str) -> tuple[float, float, float]:
    """Seconds of mumo and of transformers for the same greedy guided text-to-music generation, and the
    share of codes both produce identically."""
    reference, tokenizer = random_musicgen(config, text_dim=64)
    reference = reference.to(device)
    ours = MusicMotionLM.from_musicgen(reference, tokenizer=tokenizer).to(device).eval()
    prompts = tokenizer(PROMPTS, padding=True, return_tensors="pt").to(device)
    decoded = {}
    decode = reference.audio_encoder.decode

    def keep_codes(codes: torch.Tensor, *args: object, **kwargs: object) -> object:
        decoded["codes"] = codes[0]  # transformers returns audio; keep the codes it decodes
        return decode(codes, *args, **kwargs)

    reference.audio_encoder.decode = keep_codes

    def run_transformers() -> None:
        with torch.no_grad():
            reference.generate(
                **prompts, do_sample=False, guidance_scale=GUIDANCE,
                max_new_tokens=frames + config.num_codebooks - 1,
            )  # fmt: skip

    def run_ours() -> None:
        decoded["ours"] = generate(
            ours, "music", num_frames=frames, music_descriptions=PROMPTS, guidance_scale=GUIDANCE,
            temperature=0.0,
        ).music_codes  # fmt: skip

    run_ours()
    run_transformers()
    identity = (decoded["ours"] == decoded["codes"]).float().mean().item()
    return median_seconds(run_ours, device=device), median_seconds(run_transformers, device=device), identity


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=500, help="50 Hz frames to generate (500 = 10 s)")
    parser.add_argument(
        "--recompute-frames", type=int, default=None,
        help="frames of the recompute runs at MusicGen-small's shape (default: --frames; 50 on a CPU)",
    )  # fmt: skip
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true", help="the small shape only, 50 frames")
    parser.add_argument("--no-compile", action="store_true", help="skip (c), eager vs compiled")
    args = parser.parse_args()
    device = args.device
    frames = 50 if args.quick else args.frames
    cpu = not device.startswith("cuda")
    large_recompute = args.recompute_frames or (min(frames, 50) if cpu else frames)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads", flush=True)
    print(ROW.format("comparison", "frames", "mumo (s)", "other (s)", "ratio", "note"), flush=True)
    shapes: list[tuple[str, LMConfig, int]] = [("small (256 wide, 4 layers)", SMALL, frames)]
    if not args.quick:
        shapes.append(("MusicGen-small shape (1024 wide, 24 layers)", MUSICGEN_SMALL, large_recompute))

    def row(label: str, n: int, ours: float, other: float, note: str = "") -> None:
        print(
            ROW.format(label, str(n), f"{ours:.2f}", f"{other:.2f}", f"{other / ours:.2f}x", note), flush=True
        )

    for name, config, recompute_frames in shapes:
        torch.manual_seed(0)
        model = MusicMotionLM(config).to(device).eval()
        cached, recompute, how = cached_vs_recompute(model, frames, recompute_frames, device)
        row(f"(a) joint, cached vs recompute, {name}", frames, cached, recompute, f"recompute {how}")
    for name, config, _ in shapes:
        torch.manual_seed(0)
        ours, reference = transformers_twin(config, device)
        result = music_vs_transformers(ours, reference, frames, device)
        note = f"codes equal {result.matching:.1%} (uncached, {result.check_frames} frames: "
        note += f"{result.matching_uncached:.1%})"
        row(f"(b) music, mumo vs transformers, {name}", frames, result.mumo_s, result.other_s, note)
    for name, config, _ in shapes:
        torch.manual_seed(0)
        ours_s, other_s, identity = text_to_music_vs_transformers(config, frames, device)
        note = f"codes equal {identity:.1%}, {len(PROMPTS)} padded text prompts"
        row(f"(d) text->music, mumo vs transformers, {name}", frames, ours_s, other_s, note)
    if not args.no_compile:
        for name, config, _ in shapes[:1] if cpu else shapes:
            torch.manual_seed(0)
            model = MusicMotionLM(config).to(device).eval()
            eager, compiled, first = eager_vs_compiled(model, frames, device)
            note = f"sampling; first compiled call {first:.1f} s"
            row(f"(c) joint, compiled vs eager, {name}", frames, compiled, eager, note)
    print("ratio = other time / mumo time (> 1: mumo faster); greedy unless noted, guidance 3, batch 1")


if __name__ == "__main__":
    main()
