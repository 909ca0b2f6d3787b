"""GPU check of the joint LM at MusicGen-small's shape (random weights): one table, printed row by row.

    make gpu-check                                   # = PYTHONPATH=. python3 bench/gpu_check.py
    PYTHONPATH=. python3 bench/gpu_check.py --out $OUT/gpu_check.md

Sections, in this order (a failing section reports its error in the table and the next one runs):

- ``train``: AdamW steps (default 50) in bf16-mixed precision (bf16 autocast, fp32 weights) on the joint task,
  10 s windows (500 frames per stream), one fixed batch of learnable random-walk codes: loss first → last
  (finite, falling), step time, tokens/s, FLOP/s against the measured bf16 matrix-product peak, peak memory.
- ``cache``: cached and recomputed generation give the same tokens (joint, 2 s, greedy and seeded sampling;
  float64, so rounding cannot flip a choice; float32 where a kernel lacks float64).
- ``generate``: joint music + dance, 10 s, guidance 3, sampling (temperature 1, top-k 250), batch 1, eager:
  real-time factor (RTF = generation time / 10 s).
- ``compiled``: the generation of ``generate`` with the compiled decoding step (``torch.compile``, CUDA
  graphs): first call (compilation included), RTF of the next, codes equal to eager. Skipped when less than
  ``--compile-reserve-s`` of ``--budget-s`` is left.
- ``bf16``: the same generation with the weights and caches in bfloat16, eager and compiled (the step reads
  half the bytes: at batch 1 a decoding step is bound by reading the weights).
- ``transformers``: music-only greedy generation, 10 s, guidance 3, mumo vs. transformers'
  ``MusicgenForCausalLM.generate`` on the same weights and description states: times, ratio, codes equal.

``--out FILE.md`` rewrites the Markdown table (and ``FILE.json``) after every row, so a run cut short keeps
what it measured. ``--device cpu --tiny`` runs every section on the debug shape, 1 s windows, compiled with
the ``eager`` backend (graph capture without code generation), in well under a minute
(tests/bench/test_gpu_check.py).
Imports: torch, transformers (``transformers`` section only) and ``mumo.lm``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import statistics
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import torch
from lm_setups import (
    GUIDANCE,
    MUSICGEN_SMALL,
    TINY,
    forward_flops,
    matmul_peak_flops,
    music_vs_transformers,
    random_walk_codes,
    training_loss,
    transformers_twin,
)
from timing import median_seconds

from mumo.lm.config import LMConfig
from mumo.lm.generate import GenerationResult, generate
from mumo.lm.model import MusicMotionLM
from mumo.lm.tasks import Task

CODE_FRAME_RATE = 50.0
"""Code frames per second of MusicGen's EnCodec (32 kHz, hop 640), Hz."""


class Report:
    """The table: printed row by row, and rewritten to ``path`` (Markdown) and its ``.json`` twin."""

    def __init__(self, path: Path | None, header: dict[str, str]) -> None:
        self.path = path
        self.header = header
        self.rows: list[dict[str, str]] = []
        print(" | ".join(f"{k}: {v}" for k, v in header.items()), flush=True)
        print("| section | check | value | note |\n|---|---|---|---|", flush=True)

    def add(self, section: str, check: str, value: str, note: str = "") -> None:
        row = {"section": section, "check": check, "value": value, "note": note}
        self.rows.append(row)
        print(f"| {section} | {check} | {value} | {note} |", flush=True)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(self.markdown())
            self.path.with_suffix(".json").write_text(
                json.dumps({**self.header, "rows": self.rows}, indent=2)
            )

    def markdown(self) -> str:
        lines = ["# mumo GPU check", "", *(f"- {k}: {v}" for k, v in self.header.items()), ""]
        lines += ["| section | check | value | note |", "|---|---|---|---|"]
        lines += [f"| {r['section']} | {r['check']} | {r['value']} | {r['note']} |" for r in self.rows]
        return "\n".join(lines) + "\n"


class Check:
    """The settings and shared state of one run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.device = args.device
        self.cuda = args.device.startswith("cuda")
        self.config: LMConfig = TINY if args.tiny else MUSICGEN_SMALL
        self.seconds = 1.0 if args.tiny else 10.0
        self.frames = round(self.seconds * CODE_FRAME_RATE)
        self.backend = args.compile_backend or ("eager" if args.tiny else "inductor")
        self.start = time.perf_counter()
        self.eager: GenerationResult | None = None  # the eager generation, compared with the compiled one
        self.report = Report(args.out, _header(args, self.config))

    def synchronize(self) -> None:
        if self.cuda:
            torch.cuda.synchronize()

    def joint(self, model: MusicMotionLM, **kwargs: object) -> GenerationResult:
        """The joint generation of the ``generate``, ``compiled`` and ``bf16`` sections."""
        return generate(
            model, Task.JOINT, num_frames=self.frames, music_descriptions=["a house track"],
            motion_descriptions=["a bouncy house dance"], guidance_scale=GUIDANCE, temperature=1.0, top_k=250,
            seed=0, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip

    def model(self, dtype: torch.dtype = torch.float32) -> MusicMotionLM:
        torch.manual_seed(0)
        return MusicMotionLM(self.config).to(self.device, dtype).eval()


def train(check: Check) -> None:
    args, config, device = check.args, check.config, check.device
    model = check.model().train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, fused=check.cuda)
    batch = args.train_batch
    music = random_walk_codes(batch, config, check.frames, device, seed=1)
    motion = random_walk_codes(batch, config, check.frames, device, seed=2)
    if check.cuda:
        torch.cuda.reset_peak_memory_stats()
    losses, times = [], []
    for _ in range(args.train_steps):
        check.synchronize()
        start = time.perf_counter()
        with torch.autocast(torch.device(device).type, dtype=torch.bfloat16):
            loss = training_loss(model, Task.JOINT, music, motion)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        times.append(time.perf_counter() - start)
    warm = max(1, len(times) // 10)
    step_s = statistics.median(times[warm:])
    tokens = batch * 2 * check.frames
    head = statistics.mean(losses[:5])
    tail = statistics.mean(losses[-5:])
    finite = all(math.isfinite(x) for x in losses)
    verdict = ("finite" if finite else "NOT FINITE") + (", falling" if tail < head else ", NOT FALLING")
    window = f"joint, batch {batch}, {check.seconds:g} s windows ({tokens} tokens/step), bf16 autocast"
    report = check.report
    report.add("train", f"loss, {len(losses)} steps (mean of first 5 → last 5)", f"{head:.3f} → {tail:.3f}",
               verdict)  # fmt: skip
    report.add("train", "step time (median after warm-up)", f"{step_s * 1000:.1f} ms", window)
    report.add(
        "train", "throughput", f"{tokens / step_s:,.0f} tokens/s",
        f"a token = one 50 Hz frame of one stream ({config.num_codebooks} codes); forward + backward + AdamW",
    )  # fmt: skip
    peak = matmul_peak_flops(device, torch.bfloat16, 8192 if check.cuda else 512)
    sequence = 2 * model.pattern.input_length(check.frames)  # both streams' pattern steps
    achieved = 3 * forward_flops(config, batch * sequence, sequence) / step_s
    report.add(
        "train", "achieved FLOP/s (3 x forward FLOPs / step time)", f"{achieved / 1e12:.2f} TFLOP/s",
        f"{achieved / peak:.0%} of the measured bf16 matmul peak, {peak / 1e12:.1f} TFLOP/s",
    )  # fmt: skip
    if check.cuda:
        report.add("train", "peak memory", f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


def cache(check: Check) -> None:
    try:
        model, dtype = check.model(torch.float64), "float64"
        generate(model, Task.JOINT, num_frames=2)
    except RuntimeError:  # a kernel without float64 on this device: compare in float32
        model, dtype = check.model(), "float32"
    frames = min(check.frames, 100)
    for temperature in (0.0, 1.0):
        common = dict(
            task=Task.JOINT, num_frames=frames, music_descriptions=["a house track"],
            motion_descriptions=["a bouncy house dance"], guidance_scale=GUIDANCE, temperature=temperature,
            seed=3,
        )  # fmt: skip
        cached = generate(model, use_cache=True, **common)  # type: ignore[arg-type]
        recomputed = generate(model, use_cache=False, **common)  # type: ignore[arg-type]
        mode = "greedy" if temperature == 0 else "sampling, seed 3"
        check.report.add(
            "cache", f"cached = recomputed codes (joint, {frames} frames, {mode}, {dtype})",
            _agreement(cached, recomputed),
        )  # fmt: skip


def eager_generation(check: Check) -> None:
    check.eager = _timed_generation(check, "generate", torch.float32, compiled=False)


def compiled_generation(check: Check) -> None:
    if _out_of_time(check, "compiled"):
        return
    result = _timed_generation(check, "compiled", torch.float32, compiled=True)
    if check.eager is not None:
        check.report.add("compiled", "compiled = eager codes (same seed)", _agreement(result, check.eager))


def bf16_generation(check: Check) -> None:
    eager = _timed_generation(check, "bf16", torch.bfloat16, compiled=False)
    if _out_of_time(check, "bf16"):
        return
    result = _timed_generation(check, "bf16", torch.bfloat16, compiled=True)
    check.report.add("bf16", "compiled = eager codes (same seed, bf16)", _agreement(result, eager))


def _out_of_time(check: Check, section: str) -> bool:
    """Whether too little of the budget is left to compile (then a ``skipped`` row says so)."""
    left = check.args.budget_s - (time.perf_counter() - check.start)
    if left < check.args.compile_reserve_s:
        check.report.add(section, "skipped", "-", f"{left:.0f} s of the time budget left")
    return left < check.args.compile_reserve_s


def _timed_generation(check: Check, section: str, dtype: torch.dtype, compiled: bool) -> GenerationResult:
    """The joint generation with weights (and caches) in ``dtype``, eager or compiled: one untimed call
    (lazy initialisation, or compilation, whose time is reported), then the timed one; one row with its
    real-time factor."""
    model = check.model(dtype)
    compile = check.backend if compiled else False
    check.synchronize()
    start = time.perf_counter()
    check.joint(model, compile=compile)
    check.synchronize()
    first = time.perf_counter() - start
    outputs: list[GenerationResult] = []
    seconds = median_seconds(lambda: outputs.append(check.joint(model, compile=compile)), device=check.device)
    precision = {torch.float32: "fp32", torch.bfloat16: "bf16"}[dtype]
    mode = "compiled" if compiled else "eager"
    note = f"{seconds:.2f} s; guidance {GUIDANCE:g}, temperature 1, top-k 250, batch 1, {precision} weights"
    note += f"; backend {check.backend}, first call (compiling) {first:.1f} s" if compiled else ""
    check.report.add(
        section, f"joint {check.seconds:g} s, {mode}, {precision}: real-time factor",
        f"{seconds / check.seconds:.3f}", note,
    )  # fmt: skip
    return outputs[-1]


def versus_transformers(check: Check) -> None:
    torch.manual_seed(0)
    ours, reference = transformers_twin(check.config, check.device)
    result = music_vs_transformers(ours, reference, check.frames, check.device)
    check.report.add(
        "transformers", f"music {check.seconds:g} s greedy, mumo vs MusicgenForCausalLM.generate",
        f"{result.mumo_s:.2f} s vs {result.other_s:.2f} s = {result.ratio:.2f}x",
        f"same weights and (null) description states, guidance {GUIDANCE:g}",
    )  # fmt: skip
    check.report.add(
        "transformers", "codes equal to transformers' cached / uncached generate",
        f"{result.matching:.1%} / {result.matching_uncached:.1%}",
        f"uncached: first {result.check_frames} frames; transformers' cached MusicGen generation disagrees "
        "with its own forward pass",
    )  # fmt: skip


SECTIONS: dict[str, Callable[[Check], None]] = {
    "train": train,
    "cache": cache,
    "generate": eager_generation,
    "compiled": compiled_generation,
    "bf16": bf16_generation,
    "transformers": versus_transformers,
}


def _agreement(a: GenerationResult, b: GenerationResult) -> str:
    pairs = [
        (x, y) for x, y in ((a.music_codes, b.music_codes), (a.motion_codes, b.motion_codes)) if x is not None
    ]
    equal = sum(int((x == y).sum()) for x, y in pairs)  # type: ignore[operator]
    total = sum(x.numel() for x, _ in pairs)
    return "identical" if equal == total else f"DIFFERENT ({equal / total:.1%} of codes equal)"


def _header(args: argparse.Namespace, config: LMConfig) -> dict[str, str]:
    cuda = args.device.startswith("cuda")
    name = torch.cuda.get_device_name(args.device) if cuda else (platform.processor() or platform.machine())
    try:
        import transformers

        versions = f"torch {torch.__version__}, transformers {transformers.__version__}"
    except ImportError:
        versions = f"torch {torch.__version__}, no transformers"
    shape = (
        f"{config.num_layers} layers, width {config.dim}, {config.num_heads} heads, {config.num_codebooks} x "
    )
    shape += f"{config.cardinality} codes"
    return {
        "device": f"{args.device} ({name})",
        "versions": versions,
        "model": shape,
        "date": time.strftime("%F %T"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cuda", help="torch device (default cuda)")
    parser.add_argument("--tiny", action="store_true", help="debug shape and 1 s windows (seconds on a CPU)")
    parser.add_argument("--out", type=Path, default=None, help="Markdown table path (a .json beside it)")
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help="comma-separated subset, in this order"
    )
    parser.add_argument("--train-steps", type=int, default=None, help="training steps (default 50, tiny 10)")
    parser.add_argument("--train-batch", type=int, default=None, help="training batch (default 8, tiny 2)")
    parser.add_argument("--lr", type=float, default=3e-4, help="AdamW learning rate")
    parser.add_argument(
        "--compile-backend", default=None, help="torch.compile backend (default inductor; tiny eager)"
    )
    parser.add_argument("--budget-s", type=float, default=360.0, help="time budget of the whole check, s")
    parser.add_argument(
        "--compile-reserve-s", type=float, default=80.0, help="skip compiling with less left, s"
    )
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("CUDA is not available here; run with --device cpu --tiny for a CPU check")
    args.train_batch = args.train_batch or (2 if args.tiny else 8)
    args.train_steps = args.train_steps or (10 if args.tiny else 50)
    check = Check(args)
    for name in args.sections.split(","):
        started = time.perf_counter()
        try:
            SECTIONS[name](check)
        except Exception as error:
            traceback.print_exc()
            message = " ".join(f"{type(error).__name__}: {error}".split())[:300].replace("|", "/")
            check.report.add(name, "FAILED", message)
        finally:
            print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
            gc.collect()
            if check.cuda:
                torch.cuda.empty_cache()
    print(f"total {time.perf_counter() - check.start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
