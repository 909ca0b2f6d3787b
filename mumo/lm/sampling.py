"""Next-token sampling: temperature, top-k, top-p (nucleus), greedy."""

from __future__ import annotations

import torch


def sampling_generator(seed: int, device: torch.device | str) -> torch.Generator:
    """The random generator that draws tokens from logits on ``device``, seeded with ``seed``.

    It lives on the logits' device (``torch.multinomial`` rejects a generator on another device), so the same
    seed gives the same codes on the same device; different devices draw different streams.
    """
    return torch.Generator(device=device).manual_seed(seed)


def sample_next(
    logits: torch.Tensor,
    temperature: float,
    top_k: int,
    top_p: float,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """Tokens ``[...]`` from logits ``[..., card]``.

    ``temperature == 0`` is greedy (argmax). Otherwise logits are divided by ``temperature``, then
    restricted to the ``top_k`` largest (``0`` = no limit) and to the smallest set whose probability
    reaches ``top_p`` (``0`` or ``1`` = no limit). ``generator`` must be on the logits' device (see
    :func:`sampling_generator`).

    Raises:
        ValueError: a generator on another device than the logits.
    """
    if generator is not None and generator.device.type != logits.device.type:
        raise ValueError(
            f"the sampling generator is on {generator.device} but the logits on {logits.device}; "
            "create it with sampling_generator(seed, logits.device)"
        )
    if temperature <= 0:
        return logits.argmax(dim=-1)
    logits = logits.float() / temperature
    if 0 < top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if 0 < top_p < 1:
        sorted_logits, order = torch.sort(logits, descending=True, dim=-1)
        cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        remove = cumulative - sorted_logits.softmax(dim=-1) > top_p
        sorted_logits = sorted_logits.masked_fill(remove, float("-inf"))
        logits = torch.full_like(logits, float("-inf")).scatter(-1, order, sorted_logits)
    probabilities = logits.softmax(dim=-1)
    flat = probabilities.reshape(-1, probabilities.shape[-1])
    return torch.multinomial(flat, 1, generator=generator).reshape(probabilities.shape[:-1])
