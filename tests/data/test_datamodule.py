import lightning as L
import numpy as np
import pytest
import torch
from lightning.fabric.utilities.distributed import DistributedSamplerWrapper
from torch.utils.data import DataLoader

from mumo.data import TokenDataConfig
from mumo.data.datamodule import TokenDataModule, collate_windows
from mumo.errors import ConfigError, DataError

from .store_helpers import CARDINALITY, MOTION_K, MUSIC_K, write_store

LENGTHS = [60, 75, 90, 40, 120, 55, 66, 80, 30, 100]  # code frames at 50 Hz
SPLITS = ["train"] * 6 + ["val"] * 2 + ["test"] * 2


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return write_store(tmp_path_factory.mktemp("store"), LENGTHS, SPLITS, frames_per_shard=200)


def make_module(store, **overrides) -> TokenDataModule:
    config = TokenDataConfig(store=str(store), window_s=1.0, batch_size=2, seed=0)
    for key, value in overrides.items():
        setattr(config, key, value)
    module = TokenDataModule(config)
    module.setup("fit")
    return module


def epoch_batches(loader) -> list[dict]:
    return list(loader)


def crop_starts(batch) -> list[int]:
    """Clip frame of each window's first step, decoded from the helper's code formula."""
    numbers = [int(clip_id[4:]) for clip_id in batch["clip_id"]]
    first = batch["music_codes"][:, 0, 0].tolist()
    return [((code - 7 * n) % CARDINALITY) // 3 for code, n in zip(first, numbers, strict=True)]


def window_starts(batches) -> dict[str, int]:
    return {cid: start for b in batches for cid, start in zip(b["clip_id"], crop_starts(b), strict=True)}


def test_batches_have_the_documented_layout(store):
    module = make_module(store)
    assert module.window_frames == 50
    batch = next(iter(module.train_dataloader()))
    assert batch["music_codes"].shape == (2, MUSIC_K, 50)
    assert batch["motion_codes"].shape == (2, MOTION_K, 50)
    assert batch["music_codes"].dtype == torch.long
    assert batch["motion_codes"].dtype == torch.long
    assert batch["num_frames"].tolist() == [50, 50]
    assert len(batch["music_text"]) == len(batch["motion_text"]) == len(batch["clip_id"]) == 2
    number = int(batch["clip_id"][0][4:])
    assert batch["music_text"][0] == f"music of clip {number}"
    # The helper's motion codes are music codes + 1 at the same frame: same start in both streams.
    music, motion = batch["music_codes"][:, 0], batch["motion_codes"][:, 0]
    assert torch.equal((motion - music) % CARDINALITY, torch.ones_like(music))


def test_short_clips_are_skipped_by_default(store):
    module = make_module(store)
    train_ids = {cid for batch in module.train_dataloader() for cid in batch["clip_id"]}
    assert train_ids == {
        "clip000000",
        "clip000001",
        "clip000002",
        "clip000004",
        "clip000005",
    }  # 40 < 50 frames
    assert len(module.datasets["test"]) == 1  # clip 8 has 30 frames


def test_short_clips_can_be_padded_with_the_pad_id(store):
    module = make_module(store, short_clips="pad")
    batch = collate_windows([module.datasets["test"][0]])
    assert batch["clip_id"] == ["clip000008"]
    assert batch["num_frames"].tolist() == [30]
    assert torch.all(batch["music_codes"][0, :, 30:] == CARDINALITY)
    assert torch.all(batch["motion_codes"][0, :, 30:] == CARDINALITY)
    assert torch.all(batch["music_codes"][0, :, :30] < CARDINALITY)
    padded = make_module(store, short_clips="pad", pad_id=0)
    assert torch.all(padded.datasets["test"][0]["music_codes"][:, 30:] == 0)


def test_same_seed_same_batches_new_epoch_new_crops(store):
    first = epoch_batches(make_module(store).train_dataloader())
    again = epoch_batches(make_module(store).train_dataloader())
    for a, b in zip(first, again, strict=True):
        assert a["clip_id"] == b["clip_id"]
        assert torch.equal(a["music_codes"], b["music_codes"])

    loader = make_module(store).train_dataloader()
    per_epoch = [window_starts(epoch_batches(loader)) for _ in range(3)]
    assert per_epoch[0].keys() == per_epoch[1].keys() == per_epoch[2].keys()
    assert len({tuple(sorted(starts.items())) for starts in per_epoch}) > 1
    for starts in per_epoch:
        assert all(0 <= start <= LENGTHS[int(cid[4:])] - 50 for cid, start in starts.items())

    other_seed = epoch_batches(make_module(store, seed=1).train_dataloader())
    assert any(
        a["clip_id"] != b["clip_id"] or not torch.equal(a["music_codes"], b["music_codes"])
        for a, b in zip(first, other_seed, strict=True)
    )


def test_validation_windows_are_fixed(store):
    loader = make_module(store).val_dataloader()
    one, two = epoch_batches(loader), epoch_batches(loader)
    assert [b["clip_id"] for b in one] == [b["clip_id"] for b in two] == [["clip000006", "clip000007"]]
    assert torch.equal(one[0]["music_codes"], two[0]["music_codes"])


def test_worker_processes_give_the_same_batches(store):
    serial = epoch_batches(make_module(store).train_dataloader())
    parallel = epoch_batches(make_module(store, num_workers=2).train_dataloader())
    for a, b in zip(serial, parallel, strict=True):
        assert a["clip_id"] == b["clip_id"]
        assert torch.equal(a["motion_codes"], b["motion_codes"])


def test_distributed_ranks_split_each_epoch(store):
    module = make_module(store)
    loader = module.train_dataloader()
    seen = []
    for rank in range(2):
        sampler = DistributedSamplerWrapper(loader.sampler, num_replicas=2, rank=rank, shuffle=False)
        ranked = DataLoader(loader.dataset, batch_size=1, sampler=sampler, collate_fn=collate_windows)
        seen.append([batch["clip_id"][0] for batch in ranked])
    assert len(seen[0]) == len(seen[1]) == 3
    assert set(seen[0]) | set(seen[1]) == {
        "clip000000",
        "clip000001",
        "clip000002",
        "clip000004",
        "clip000005",
    }


class _CountingModule(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.clips: list[list[str]] = []

    def training_step(self, batch, batch_idx):
        if batch_idx == 0:
            self.clips.append([])
        self.clips[-1].extend(batch["clip_id"])
        return (self.weight - batch["music_codes"].float().mean() / CARDINALITY) ** 2

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_lightning_trainer_runs_epochs(store, tmp_path):
    model = _CountingModule()
    trainer = L.Trainer(
        max_epochs=2,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        default_root_dir=tmp_path,
    )
    trainer.fit(model, datamodule=make_module(store))
    assert len(model.clips) == 2
    assert sorted(model.clips[0]) == sorted(model.clips[1])
    assert len(model.clips[0]) == 5


def test_bad_settings_fail_early(store, tmp_path):
    with pytest.raises(ConfigError, match="window_s"):
        TokenDataModule(TokenDataConfig(store=str(store), window_s=0))
    with pytest.raises(ConfigError, match="short_clips"):
        TokenDataModule(TokenDataConfig(store=str(store), short_clips="crop"))
    with pytest.raises(DataError, match="no training clip"):
        make_module(store, window_s=10.0)
    with pytest.raises(DataError, match="not a token store"):
        make_module(tmp_path)


def test_window_codes_stay_in_range(store):
    batch = next(iter(make_module(store).train_dataloader()))
    assert int(batch["music_codes"].max()) < CARDINALITY
    assert np.all(batch["motion_codes"].numpy() >= 0)
