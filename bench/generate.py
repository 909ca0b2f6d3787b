"""Generation speed of the joint LM, side by side in one run.

(a) mumo's cached generation vs. its full-prefix recompute path (what the published system did at every
    step), joint music + motion, at a small width and at MusicGen-small's shape;
(b) mumo's text-to-music generation vs. transformers' ``MusicgenForConditionalGeneration.generate`` on
    identical imported weights (T5, projection, decoder) and the same text prompts, same length, greedy, with
    classifier-free guidance: the time of each, and the share of codes that are identical (token identity;
    greedy decoding of the same model must give 100 %).

Random weights (speed does not depend on them; a one-layer T5 stands in for T5-base). ``--steps`` sets the
number of 50 Hz frames (500 = 10 s); on a CPU the MusicGen-small shape is run with fewer steps unless
``--full`` is given.
"""

from __future__ import annotations

import argparse

import torch
from timing import median_seconds

from mumo.lm.config import LMConfig
from mumo.lm.generate import generate
from mumo.lm.model import MusicMotionLM
from mumo.lm.musicgen_import import random_musicgen

SMALL = LMConfig(
    num_codebooks=4, cardinality=2048, dim=256, num_heads=4, num_layers=4, ffn_dim=1024, condition_dim=256
)
MUSICGEN_SMALL = LMConfig()
PROMPTS = ["an upbeat house track with a deep bass line", "calm piano"]
GUIDANCE = 3.0


def cached_vs_recompute(config: LMConfig, frames: int, device: str) -> tuple[float, float]:
    model = MusicMotionLM(config).to(device).eval()
    kwargs = dict(task="joint", num_frames=frames, batch_size=1, guidance_scale=3.0, temperature=0.0,
                  music_descriptions=["house"], motion_descriptions=["bounce"])  # fmt: skip
    generate(model, **{**kwargs, "num_frames": 4})  # warm-up
    cached = median_seconds(lambda: generate(model, use_cache=True, **kwargs), device=device)
    recompute = median_seconds(lambda: generate(model, use_cache=False, **kwargs), device=device)
    return cached, recompute


def ours_vs_transformers(config: LMConfig, frames: int, device: str) -> tuple[float, float, float]:
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=500, help="50 Hz frames to generate (500 = 10 s)")
    parser.add_argument("--large-steps", type=int, default=None, help="frames for the MusicGen-small shape")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true", help="small sizes only, 50 frames")
    args = parser.parse_args()
    torch.manual_seed(0)
    device = args.device
    steps = 50 if args.quick else args.steps
    large_steps = args.large_steps or (steps if device == "cuda" else min(steps, 100))
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"{'comparison':68s} {'frames':>6s} {'mumo (s)':>9s} {'other (s)':>10s} {'ratio':>7s}")
    shapes = [("small (256 wide, 4 layers)", SMALL, steps)]
    if not args.quick:
        shapes.append(("MusicGen-small shape (1024 wide, 24 layers)", MUSICGEN_SMALL, large_steps))
    for name, config, frames in shapes:
        cached, recompute = cached_vs_recompute(config, frames, device)
        label = f"(a) joint, cached vs recompute, {name}"
        print(f"{label:68s} {frames:6d} {cached:9.2f} {recompute:10.2f} {recompute / cached:6.1f}x")
    for name, config, frames in shapes:
        ours, theirs, identity = ours_vs_transformers(config, frames, device)
        label = f"(b) text->music, mumo vs transformers, {name}"
        print(
            f"{label:68s} {frames:6d} {ours:9.2f} {theirs:10.2f} {theirs / ours:6.2f}x  "
            f"identical codes {100 * identity:.1f} %"
        )
    print(
        f"ratio = other time / mumo time (> 1: mumo faster); greedy; (a) guidance scale 3, batch 1; "
        f"(b) guidance scale {GUIDANCE:g}, batch {len(PROMPTS)} padded text prompts"
    )


if __name__ == "__main__":
    main()
