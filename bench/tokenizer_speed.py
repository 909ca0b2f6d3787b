"""Encode and decode throughput of the two tokenizers at the demo configs' sizes, with transformers'
``EncodecModel`` as the reference music codec.

Motion: normalised 263-d features at 60 fps -> codes at 50 Hz -> features (frames/s counts 60 fps motion
frames). Music: mono 32 kHz waveforms -> codes at 50 Hz -> waveforms (frames/s counts 50 Hz code frames).
"x real time" is seconds of motion or audio processed per second of wall time. The reference is an
``EncodecModel`` built from an ``EncodecConfig`` of the same hop (640 samples at 32 kHz), width, codebook
size, latent size and number of codebooks (random weights, nothing downloaded); "vs EnCodec" is our
frames/s divided by the reference's at the same operation and batch size.

Run: ``.venv/bin/python bench/tokenizer_speed.py [--device cuda] [--seconds 10] [--repeats 3] [--threads 1]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from timing import median_seconds
from transformers import EncodecConfig, EncodecModel

from mumo.config import load_config
from mumo.motion import FEATURE_DIM, FeatureStats
from mumo.tokenizers import EncodecTokenizer, MotionTokenizer, MusicTokenizer
from mumo.train.tokenizer_recipes import MotionTokenizerTraining, MusicTokenizerTraining

CONFIGS = Path(__file__).resolve().parents[1] / "configs" / "demo"


def reference_codec(music: MusicTokenizer) -> EncodecTokenizer:
    """An ``EncodecModel`` shaped like ``music``'s codec: same sample rate, ratios, first-stage width,
    codebook size, latent size and number of codebooks (at the bandwidth that gives K codebooks)."""
    codec = music.codec.config
    bits_per_frame = np.log2(codec.quantizer.codebook_size) * music.frame_rate / 1000  # kbps per codebook
    bandwidth = float(bits_per_frame * codec.quantizer.num_codebooks)
    config = EncodecConfig(
        sampling_rate=codec.sample_rate,
        audio_channels=1,
        normalize=False,
        chunk_length_s=None,
        num_filters=codec.channels,
        upsampling_ratios=list(codec.ratios),
        hidden_size=codec.quantizer.dim,
        codebook_dim=codec.quantizer.dim,
        codebook_size=codec.quantizer.codebook_size,
        target_bandwidths=[bandwidth],
        use_causal_conv=False,
    )
    return EncodecTokenizer(EncodecModel(config).eval(), bandwidth)


def measure(name: str, tokenizer: torch.nn.Module, inputs: torch.Tensor, frames: int, seconds: float,
            device: str, repeats: int) -> list[tuple]:  # fmt: skip
    """Encode and decode rows ``(model, operation, batch, frames/s, x real time, params)`` of ``tokenizer``
    on ``inputs``, a batch of clips of ``seconds`` holding ``frames`` frames in all."""
    codes = tokenizer.encode(inputs)
    params = sum(p.numel() for p in tokenizer.parameters())
    batch = len(inputs)
    return [
        (name, operation, batch, frames / elapsed, seconds * batch / elapsed, params)
        for operation, elapsed in (
            ("encode", median_seconds(lambda: tokenizer.encode(inputs), repeats, device, warm_up=True)),
            ("decode", median_seconds(lambda: tokenizer.decode(codes), repeats, device, warm_up=True)),
        )
    ]


def rows(device: str, seconds: float, batch_sizes: list[int], repeats: int) -> list[tuple]:
    """Rows of :func:`measure` for every tokenizer and batch size."""
    torch.manual_seed(0)
    motion_config = load_config(CONFIGS / "motion_tokenizer.yaml", MotionTokenizerTraining).model
    identity = FeatureStats(np.zeros(FEATURE_DIM, np.float32), np.ones(FEATURE_DIM, np.float32))
    motion = MotionTokenizer.create(motion_config, identity).to(device).eval()
    music = MusicTokenizer.create(load_config(CONFIGS / "music_codec.yaml", MusicTokenizerTraining).model)
    music = music.to(device).eval()
    reference = reference_codec(music).to(device)
    results = []
    for batch in batch_sizes:
        features = torch.randn(batch, round(seconds * motion.input_fps), FEATURE_DIM, device=device)
        results += measure("motion VQ-VAE", motion, features, features.shape[:2].numel(), seconds, device,
                           repeats)  # fmt: skip
        audio = 0.5 * torch.randn(batch, 1, round(seconds * music.sample_rate), device=device).clamp(-1, 1)
        code_frames = batch * music.encode(audio).shape[-1]
        for name, tokenizer in (("audio codec (ours)", music), ("EnCodec (transformers)", reference)):
            results += measure(name, tokenizer, audio, code_frames, seconds, device, repeats)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    parser.add_argument("--seconds", type=float, default=2.0, help="clip length, seconds")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per measurement (median)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with torch.inference_mode():
        table = rows(args.device, args.seconds, args.batch_sizes, args.repeats)
    reference = {(op, batch): fps for name, op, batch, fps, *_ in table if name.startswith("EnCodec")}
    print(f"device {args.device}, torch threads {torch.get_num_threads()}, clips of {args.seconds:g} s, "
          f"median of {args.repeats}")  # fmt: skip
    header = ("model", "params", "op", "batch", "frames/s", "x real time", "vs EnCodec")
    print("".join(f"{text:{'<' if i == 0 else '>'}{width}}" for i, (text, width) in enumerate(zip(
        header, (24, 10, 8, 7, 12, 13, 12), strict=True))))  # fmt: skip
    for name, operation, batch, fps, realtime, params in table:
        ratio = "" if name.startswith("motion") else f"{fps / reference[operation, batch]:.2f}"
        print(
            f"{name:<24}{params / 1e6:>9.2f}M{operation:>8}{batch:>7}{fps:>12.0f}{realtime:>13.1f}{ratio:>12}"
        )
    print("frames: 60 fps motion frames (motion), 50 Hz code frames (music)")


if __name__ == "__main__":
    main()
