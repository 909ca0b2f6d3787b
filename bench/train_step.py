"""One training step (forward + backward + AdamW) of mumo's LM vs. transformers' MusicGen decoder.

Both models have the same shape and the same random music weights (mumo's imported from transformers'
``MusicgenForCausalLM``), read the same codes (delay pattern, ``[B, K, T]`` learnable random walks) and the
same description states, and minimise the same loss (mean cross-entropy of the codes). mumo runs its music
task (its forward) with its motion parts frozen (those the ``motion_only`` policy trains). Reported: the
median step time of each, their ratio (goal >= 1.0: mumo at least as fast), and each one's achieved FLOP/s
(3 x the forward FLOPs of :func:`lm_setups.forward_flops` per step) against the measured matmul peak.

``--quick``: the small shape, batch 2, 100 frames (CPU). Default on a GPU: MusicGen-small's shape, batch 8,
500 frames (10 s), bf16 autocast.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from functools import partial

import torch
from lm_setups import (
    MUSICGEN_SMALL,
    SMALL,
    forward_flops,
    matmul_peak_flops,
    random_walk_codes,
    transformers_twin,
)
from timing import median_seconds
from torch.nn import functional as F

from mumo.lm.freezing import is_trainable
from mumo.lm.model import Conditions
from mumo.lm.tasks import Task

TEXT_TOKENS = 8
"""Length of the description states both models read."""


def training_step(
    loss_of: Callable[[], torch.Tensor], optimizer: torch.optim.Optimizer, device: str, dtype: torch.dtype
) -> None:
    with torch.autocast(torch.device(device).type, dtype=dtype, enabled=dtype != torch.float32):
        loss = loss_of()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true", help="small shape, batch 2, 100 frames")
    parser.add_argument("--batch", type=int, default=None, help="sequences per step (default 8; quick 2)")
    parser.add_argument("--frames", type=int, default=None, help="50 Hz frames per sequence (default 500)")
    parser.add_argument("--steps", type=int, default=5, help="timed steps of each (after 2 warm-up steps)")
    args = parser.parse_args()
    device = args.device
    cuda = device.startswith("cuda")
    config = SMALL if args.quick else MUSICGEN_SMALL
    batch = args.batch or (2 if args.quick else 8)
    frames = args.frames or (100 if args.quick else 500)
    dtype = torch.bfloat16 if cuda else torch.float32
    torch.manual_seed(0)
    ours, reference = transformers_twin(config, device)
    ours.train()
    reference.train()
    for name, parameter in ours.named_parameters():  # a music-only model: its motion parts do not train
        parameter.requires_grad_(not is_trainable(name, "motion_only"))
    codes = random_walk_codes(batch, config, frames, device)
    states = torch.randn(batch, TEXT_TOKENS, config.dim, device=device)
    mask = torch.ones(batch, TEXT_TOKENS, dtype=torch.long, device=device)
    conditions = Conditions(states, mask, states[:, :0], mask[:, :0])
    pattern = ours.pattern.build(codes)[..., :-1]  # [B, K, S]
    k, length = config.num_codebooks, pattern.shape[-1]

    def cross_entropy(logits: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits.flatten(0, 2).float(), codes.flatten())

    def mumo_loss() -> torch.Tensor:
        return cross_entropy(ours(Task.MUSIC, conditions, music_codes=codes).music)

    def transformers_loss() -> torch.Tensor:
        logits = reference(
            input_ids=pattern.reshape(batch * k, length),
            encoder_hidden_states=states,
            encoder_attention_mask=mask,
        ).logits.reshape(batch, k, length, -1)
        return cross_entropy(ours.pattern.revert_logits(logits, frames))

    flops = 3 * forward_flops(config, batch * length, length, TEXT_TOKENS)
    peak = matmul_peak_flops(device, dtype, 8192 if cuda else 1024)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads", flush=True)
    print(f"shape: {config.num_layers} layers, width {config.dim}; batch {batch} x {frames} frames; {dtype}")
    print(f"measured {dtype} matmul peak: {peak / 1e12:.2f} TFLOP/s", flush=True)
    steps = {}
    for name, model, loss_of in (("mumo", ours, mumo_loss), ("transformers", reference, transformers_loss)):
        trainable = [p for p in model.parameters() if p.requires_grad]
        steps[name] = partial(training_step, loss_of, torch.optim.AdamW(trainable, lr=1e-4), device, dtype)
        for _ in range(2):  # warm-up (and the optimiser's state)
            steps[name]()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.steps):  # interleaved, so a change in the machine's load hits both alike
        for name, step in steps.items():
            times[name].append(median_seconds(step, device=device))
    seconds = {name: statistics.median(values) for name, values in times.items()}
    for name, value in seconds.items():
        achieved = flops / value
        share = f"{achieved / peak:.0%}"
        print(
            f"{name:13s} step {value * 1000:9.1f} ms  {achieved / 1e12:7.3f} TFLOP/s ({share} of peak)",
            flush=True,
        )
    print(f"ratio transformers / mumo: {seconds['transformers'] / seconds['mumo']:.2f}x (> 1: mumo faster)")


if __name__ == "__main__":
    main()
