import numpy as np
import pytest
import torch

from mumo.data.clips import read_index
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.token_store import TokenItem, TokenizerInfo, TokenStore, TokenStoreWriter, new_store_meta
from mumo.motion.skeleton import SMPL22

K, CARD = 4, 32


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory):
    """A token store of 12 short clips with K = 4 codebooks of 32 codes for both streams."""
    root = tmp_path_factory.mktemp("store")
    info = TokenizerInfo(
        directory="/none", config_sha256="0" * 64, frame_rate=50.0, num_codebooks=K, cardinality=CARD
    )
    rng = np.random.default_rng(0)
    with TokenStoreWriter(root, new_store_meta(info, info)) as writer:
        for i in range(12):
            frames = 40
            music = rng.integers(0, CARD, (K, frames))
            writer.add(
                TokenItem(
                    clip_id=f"c{i}", split="val" if i >= 10 else "train", music_codes=music,
                    motion_codes=(music + 1) % CARD, music_text=f"song {i % 3}", motion_text=f"dance {i % 2}",
                    duration_s=frames / 50.0, style="",
                )
            )  # fmt: skip
    return root


@pytest.fixture(scope="session")
def store_with_dataset(tmp_path_factory):
    """A token store of random codes over a 20-clip synthetic dataset (5-6 s clips, the ground truth)."""
    dataset = tmp_path_factory.mktemp("dataset")
    build_synthetic_dataset(dataset, num_clips=20, seed=1, min_duration_s=5.0, max_duration_s=6.0)
    info = TokenizerInfo(
        directory="/none", config_sha256="0" * 64, frame_rate=50.0, num_codebooks=K, cardinality=CARD
    )
    root = tmp_path_factory.mktemp("store")
    rng = np.random.default_rng(0)
    with TokenStoreWriter(root, new_store_meta(info, info, source=str(dataset))) as writer:
        for record in read_index(dataset):
            frames = int(record.duration_s * 50)
            writer.add(
                TokenItem(
                    clip_id=record.clip_id, split=record.split,
                    music_codes=rng.integers(0, CARD, (K, frames)),
                    motion_codes=rng.integers(0, CARD, (K, frames)), music_text=record.music_caption,
                    motion_text=record.motion_caption, duration_s=record.duration_s, style=record.style or "",
                )
            )  # fmt: skip
    return TokenStore(root)


class FakeDecoders:
    """Deterministic stand-ins for the tokenizers: codes become small joint offsets and tones."""

    def motion_to_joints(self, codes: torch.Tensor) -> np.ndarray:
        _batch, _, frames = codes.shape
        t60 = round(frames * 60 / 50)
        signal = codes.float().mean(dim=1).numpy() / CARD  # [B, T]
        signal = np.stack([np.interp(np.linspace(0, frames - 1, t60), np.arange(frames), s) for s in signal])
        rest = SMPL22.rest_joints()[None, None]
        return rest + 0.2 * signal[..., None, None] * np.array([1.0, 0.3, 0.0])

    def music_to_audio(self, codes: torch.Tensor) -> np.ndarray:
        _batch, _, frames = codes.shape
        t = np.arange(frames * 640) / 32_000
        freq = 200 + 10 * codes[:, 0].float().numpy().repeat(640, axis=1)
        return (0.3 * np.sin(2 * np.pi * freq * t))[:, None].astype(np.float32)


@pytest.fixture(scope="session")
def fake_decoders():
    return FakeDecoders()


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory):
    """A random-weight one-layer T5 encoder with the byte-level tokenizer, saved to a local directory."""
    from transformers import ByT5Tokenizer, T5Config, T5EncoderModel

    directory = tmp_path_factory.mktemp("t5")
    config = T5Config(vocab_size=384, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=4)
    T5EncoderModel(config).save_pretrained(directory)
    ByT5Tokenizer().save_pretrained(directory)
    return directory
