"""The EnCodec music tokenizer: a transformers ``EncodecModel`` read from a local directory.

The directory is what ``EncodecModel.save_pretrained`` writes (``config.json`` with ``model_type:
"encodec"`` and ``model.safetensors``); weights are never downloaded. The number of codebooks follows from
the bandwidth (kbps), by default the model's highest target bandwidth, and is kept in ``config.json`` as
``tokenizer_bandwidth`` when the tokenizer is saved.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from mumo.errors import CheckpointError, ConfigError
from mumo.tokenizers.music_tokenizer import to_mono
from mumo.weights import CONFIG_FILE, WEIGHTS_FILE

ENCODEC_MODEL_TYPE = "encodec"
BANDWIDTH_KEY = "tokenizer_bandwidth"


class EncodecTokenizer(nn.Module):
    """Waveforms ``[B, C, N]`` (mixed to the model's channels) at ``sample_rate`` ↔ codes ``[B, K, T]``."""

    def __init__(self, model: nn.Module, bandwidth: float | None = None) -> None:
        """Wrap a transformers ``EncodecModel`` that encodes whole clips (``chunk_length`` unset).

        Raises:
            ConfigError: the model works in chunks or ``bandwidth`` is not one of its target bandwidths.
        """
        super().__init__()
        config = model.config
        if config.chunk_length is not None:
            raise ConfigError(
                "chunked EnCodec models (chunk_length set) are not supported; use a 24/32 kHz model"
            )
        bandwidth = max(config.target_bandwidths) if bandwidth is None else float(bandwidth)
        if bandwidth not in config.target_bandwidths:
            raise ConfigError(
                f"EnCodec bandwidth {bandwidth} kbps is not one of {list(config.target_bandwidths)}"
            )
        self.model = model
        self.bandwidth = bandwidth

    @classmethod
    def load(cls, directory: str | Path, bandwidth: float | None = None) -> EncodecTokenizer:
        """Read an ``EncodecModel`` saved in ``directory`` (local files only).

        Raises:
            CheckpointError: the directory lacks ``config.json`` or ``model.safetensors``, or cannot be read.
        """
        from transformers import EncodecModel

        directory = Path(directory)
        missing = [name for name in (CONFIG_FILE, WEIGHTS_FILE) if not (directory / name).is_file()]
        if missing:
            raise CheckpointError(
                f"EnCodec directory {directory} lacks {', '.join(missing)}; expected a transformers "
                "EncodecModel saved with save_pretrained (config.json + model.safetensors)"
            )
        try:
            model = EncodecModel.from_pretrained(str(directory), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"{directory}: cannot load the EnCodec model ({exc})") from None
        if bandwidth is None:
            bandwidth = getattr(model.config, BANDWIDTH_KEY, None)
        return cls(model.eval(), bandwidth)

    @property
    def sample_rate(self) -> int:
        """Waveform sample rate, Hz."""
        return int(self.model.config.sampling_rate)

    @property
    def frame_rate(self) -> float:
        """Code frames per second (Hz)."""
        return float(self.model.config.frame_rate)

    @property
    def num_codebooks(self) -> int:
        """K at the chosen bandwidth."""
        return int(self.model.quantizer.get_num_quantizers_for_bandwidth(self.bandwidth))

    @property
    def cardinality(self) -> int:
        """Entries per codebook."""
        return int(self.model.config.codebook_size)

    def codebooks(self) -> torch.Tensor:
        """A copy of the first K codebooks ``[K, N, D]`` (to share with a motion tokenizer)."""
        layers = self.model.quantizer.layers[: self.num_codebooks]
        return torch.stack([layer.codebook.embed.detach().clone() for layer in layers])

    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``[B, K, T]`` (int64) of waveforms ``[B, C, N]`` at :attr:`sample_rate`."""
        channels = self.model.config.audio_channels
        waveform = to_mono(x) if channels == 1 else x
        output = self.model.encode(waveform.float(), bandwidth=self.bandwidth)
        return output.audio_codes[0]  # one frame: [B, K, T]

    @torch.no_grad()
    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """Waveforms ``[B, C, T * hop]`` from ``codes [B, K, T]``."""
        return self.model.decode(codes[None], [None]).audio_values

    def save(self, directory: str | Path) -> None:
        """Write the model (``config.json`` with the bandwidth, ``model.safetensors``) into ``directory``."""
        setattr(self.model.config, BANDWIDTH_KEY, self.bandwidth)
        self.model.save_pretrained(str(directory))
