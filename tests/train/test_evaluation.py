import numpy as np
import pytest
import torch

from mumo.data.clips import read_index
from mumo.data.synthetic import build_synthetic_dataset
from mumo.data.token_store import TokenItem, TokenizerInfo, TokenStore, TokenStoreWriter, new_store_meta
from mumo.lm import DEBUG_CONFIG, MusicMotionLM
from mumo.motion.skeleton import SMPL22
from mumo.train.evaluation import EvaluationSection, evaluate_model
from mumo.train.metrics_log import read_records


class FakeDecoders:
    """Deterministic stand-ins for the tokenizers: codes become small joint offsets and tones."""

    def motion_to_joints(self, codes: torch.Tensor) -> np.ndarray:
        _batch, _, frames = codes.shape
        t60 = round(frames * 60 / 50)
        signal = codes.float().mean(dim=1).numpy() / 32.0  # [B, T]
        signal = np.stack([np.interp(np.linspace(0, frames - 1, t60), np.arange(frames), s) for s in signal])
        rest = SMPL22.rest_joints()[None, None]
        return rest + 0.2 * signal[..., None, None] * np.array([1.0, 0.3, 0.0])

    def music_to_audio(self, codes: torch.Tensor) -> np.ndarray:
        _batch, _, frames = codes.shape
        t = np.arange(frames * 640) / 32_000
        freq = 200 + 10 * codes[:, 0].float().numpy().repeat(640, axis=1)
        return (0.3 * np.sin(2 * np.pi * freq * t))[:, None].astype(np.float32)


@pytest.fixture(scope="module")
def store_with_dataset(tmp_path_factory):
    dataset = tmp_path_factory.mktemp("dataset")
    build_synthetic_dataset(dataset, num_clips=20, seed=1, min_duration_s=5.0, max_duration_s=6.0)
    info = TokenizerInfo(
        directory="/none", config_sha256="0" * 64, frame_rate=50.0, num_codebooks=4, cardinality=32
    )
    root = tmp_path_factory.mktemp("store")
    rng = np.random.default_rng(0)
    with TokenStoreWriter(root, new_store_meta(info, info, source=str(dataset))) as writer:
        for record in read_index(dataset):
            frames = int(record.duration_s * 50)
            writer.add(
                TokenItem(
                    clip_id=record.clip_id, split=record.split, music_codes=rng.integers(0, 32, (4, frames)),
                    motion_codes=rng.integers(0, 32, (4, frames)), music_text=record.music_caption,
                    motion_text=record.motion_caption, duration_s=record.duration_s, style=record.style or "",
                )
            )  # fmt: skip
    return TokenStore(root)


@pytest.mark.slow
def test_evaluation_writes_one_record_per_suite_scale_and_seed(tmp_path, store_with_dataset):
    torch.manual_seed(0)
    model = MusicMotionLM(DEBUG_CONFIG)
    section = EvaluationSection(
        every_n_epochs=1, suites=["dance", "music"], guidance_scales=[1.0, 4.0], seeds=[0, 1], split="val",
        num_clips=2, clip_s=2.0, render_samples=True,
    )  # fmt: skip
    records = evaluate_model(model, store_with_dataset, FakeDecoders(), section, epoch=3, run_dir=tmp_path)
    assert len(records) == 2 * 2 * 2
    assert read_records(tmp_path) == records
    dance = next(r for r in records if r.suite == "dance")
    for key in ("fid_k", "fid_m", "div_k", "beat_align", "beat_align_shuffled", "jitter_m_s3"):
        assert isinstance(dance.metrics[key], float), key
    music = next(r for r in records if r.suite == "music")
    assert isinstance(music.metrics["fd_melstat"], float)
    assert music.metrics["frechet_distance"] is None
    assert (tmp_path / "samples" / "epoch=3_gs4_seed1.mp4").is_file()
    assert model.training
