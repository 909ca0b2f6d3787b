"""The cached decoding step of :func:`mumo.lm.generate.generate`, eager or compiled.

A decoding step feeds one pattern step per generated stream through :meth:`MusicMotionLM.run` against a
preallocated :class:`~mumo.lm.layers.KVCache`. Every step has the same shapes (the self-attention mask row
spans all cache slots, unwritten ones masked out), so ``torch.compile`` traces it once per generation shape
(batch, length, description length) and, on a GPU, replays it as a CUDA graph: one launch per step instead
of one per kernel. The compiled step reuses one cache per shape (the last :data:`MAX_CACHES` shapes), so its
buffers keep their addresses.
"""

from __future__ import annotations

import weakref

import torch

from mumo.lm.layers import KVCache
from mumo.lm.model import Conditions, MusicMotionLM

MAX_CACHES = 4
"""Static caches a compiled decoder keeps (one per generation shape; a dropped one is rebuilt when needed)."""


class CompiledDecoder:
    """A model's compiled decoding step and the static caches it runs on.

    Args:
        model: the LM (its weights are read, not copied: later weight updates are seen).
        backend: ``torch.compile`` backend; ``"inductor"`` uses CUDA graphs (``mode="reduce-overhead"``) on
            a GPU.
    """

    def __init__(self, model: MusicMotionLM, backend: str = "inductor") -> None:
        cuda = next(model.parameters()).device.type == "cuda"
        mode = "reduce-overhead" if backend == "inductor" and cuda else None
        # the unbound method, so this decoder (kept beside the model) does not keep the model alive
        run = MusicMotionLM.run
        self._run = torch.compile(run, backend=backend, mode=mode, fullgraph=True, dynamic=False)
        self._model = weakref.ref(model)
        self._caches: dict[tuple[int, int, int], KVCache] = {}

    def step(self, *args: object) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`MusicMotionLM.run` compiled, taking its arguments after the model (``self_mask`` spans
        every slot of ``cache``); outputs are valid until the next call (a CUDA graph reuses its memory)."""
        torch.compiler.cudagraph_mark_step_begin()
        return self._run(self._live_model(), *args)

    def cache(self, rows: int, capacity: int, conditions: Conditions) -> KVCache:
        """The static cache for ``rows`` sequences of ``capacity`` positions, holding the cross-attention
        keys/values of ``conditions`` (copied in place when a cache of this shape exists)."""
        model = self._live_model()
        kv = model.cross_kv(conditions)
        key = (rows, capacity, kv[0][0].shape[2])
        cache = self._caches.get(key)
        if cache is None:
            if len(self._caches) >= MAX_CACHES:  # drop the oldest shape's buffers
                del self._caches[next(iter(self._caches))]
            cache = self._caches[key] = model.new_cache(rows, capacity)
            cache.cross_kv = kv
            cache.mark_static()
        else:
            for (old_k, old_v), (new_k, new_v) in zip(cache.cross_kv or [], kv, strict=True):
                old_k.copy_(new_k)
                old_v.copy_(new_v)
        return cache

    def _live_model(self) -> MusicMotionLM:
        model = self._model()
        if model is None:
            raise RuntimeError("the model of this compiled decoder no longer exists")
        return model


_DECODERS: weakref.WeakKeyDictionary[MusicMotionLM, dict[str, CompiledDecoder]] = weakref.WeakKeyDictionary()


def compiled_decoder(model: MusicMotionLM, backend: str = "inductor") -> CompiledDecoder:
    """The :class:`CompiledDecoder` of ``model`` and ``backend``, built on first use and kept while the model
    lives (so later generations skip compilation)."""
    decoders = _DECODERS.setdefault(model, {})
    if backend not in decoders:
        decoders[backend] = CompiledDecoder(model, backend)
    return decoders[backend]
