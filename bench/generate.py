"""Generation speed of the joint LM, side by side in one run.

(a) mumo's cached generation vs. its full-prefix recompute path (what the published system did at every
    step), joint music + motion, at a small width and at MusicGen-small's shape;
(b) mumo's music-only generation vs. transformers' ``MusicgenForCausalLM.generate`` on identical imported
    weights, same length, greedy, with classifier-free guidance.

Random weights (speed does not depend on them). ``--steps`` sets the number of 50 Hz frames (500 = 10 s);
on a CPU the MusicGen-small shape is run with fewer steps unless ``--full`` is given.
"""

from __future__ import annotations

import argparse

import torch
from timing import median_seconds
from transformers import MusicgenDecoderConfig, MusicgenForCausalLM

from mumo.lm.config import LMConfig
from mumo.lm.generate import generate
from mumo.lm.model import MusicMotionLM

SMALL = LMConfig(
    num_codebooks=4, cardinality=2048, dim=256, num_heads=4, num_layers=4, ffn_dim=1024, condition_dim=256
)
MUSICGEN_SMALL = LMConfig()


def cached_vs_recompute(config: LMConfig, frames: int, device: str) -> tuple[float, float]:
    model = MusicMotionLM(config).to(device).eval()
    kwargs = dict(task="joint", num_frames=frames, batch_size=1, guidance_scale=3.0, temperature=0.0,
                  music_descriptions=["house"], motion_descriptions=["bounce"])  # fmt: skip
    generate(model, **{**kwargs, "num_frames": 4})  # warm-up
    cached = median_seconds(lambda: generate(model, use_cache=True, **kwargs), device=device)
    recompute = median_seconds(lambda: generate(model, use_cache=False, **kwargs), device=device)
    return cached, recompute


def ours_vs_transformers(config: LMConfig, frames: int, device: str) -> tuple[float, float]:
    special = config.cardinality
    reference_config = MusicgenDecoderConfig(
        vocab_size=special, max_position_embeddings=4096, num_hidden_layers=config.num_layers,
        ffn_dim=config.ffn_dim, num_attention_heads=config.num_heads, hidden_size=config.dim,
        num_codebooks=config.num_codebooks, pad_token_id=special, bos_token_id=special,
    )  # fmt: skip
    reference = MusicgenForCausalLM(reference_config).to(device).eval()
    reference.generation_config.decoder_start_token_id = special
    reference.generation_config.pad_token_id = special
    ours = MusicMotionLM.from_musicgen(reference).to(device).eval()
    # description states of the same length (6 tokens) for both: mumo encodes "house" + end token itself
    states = torch.randn(2, 6, config.dim, device=device)
    steps = frames + config.num_codebooks - 1
    # with guidance, transformers repeats the tokens for the [conditional; unconditional] description states
    input_ids = torch.full((config.num_codebooks, 1), config.cardinality, device=device)

    def run_transformers() -> None:
        with torch.no_grad():
            reference.generate(
                input_ids=input_ids, encoder_hidden_states=states,
                max_new_tokens=steps, do_sample=False, guidance_scale=3.0, num_return_sequences=1,
            )  # fmt: skip

    def run_ours() -> None:
        generate(
            ours,
            "music",
            num_frames=frames,
            music_descriptions=["house"],
            guidance_scale=3.0,
            temperature=0.0,
        )

    run_ours()
    run_transformers()
    return median_seconds(run_ours, device=device), median_seconds(run_transformers, device=device)


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
    print(f"{'comparison':58s} {'frames':>6s} {'mumo (s)':>9s} {'other (s)':>10s} {'ratio':>7s}")
    shapes = [("small (256 wide, 4 layers)", SMALL, steps)]
    if not args.quick:
        shapes.append(("MusicGen-small shape (1024 wide, 24 layers)", MUSICGEN_SMALL, large_steps))
    for name, config, frames in shapes:
        cached, recompute = cached_vs_recompute(config, frames, device)
        label = f"(a) joint, cached vs recompute, {name}"
        print(f"{label:58s} {frames:6d} {cached:9.2f} {recompute:10.2f} {recompute / cached:6.1f}x")
    for name, config, frames in shapes:
        ours, theirs = ours_vs_transformers(config, frames, device)
        label = f"(b) music, mumo vs transformers, {name}"
        print(f"{label:58s} {frames:6d} {ours:9.2f} {theirs:10.2f} {theirs / ours:6.2f}x")
    print("ratio = other time / mumo time (> 1: mumo faster); greedy, guidance scale 3, batch 1")


if __name__ == "__main__":
    main()
