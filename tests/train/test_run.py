import json

import numpy as np
import pytest
import torch
from lightning.pytorch.callbacks import Callback

from mumo.config import from_dict
from mumo.data.token_store import TokenItem, TokenizerInfo, TokenStoreWriter, new_store_meta
from mumo.errors import CheckpointError, ConfigError
from mumo.lm import LMConfig, Task
from mumo.lm.tasks import Layout
from mumo.report.run import read_loss_log
from mumo.train.checkpoints import AtomicCheckpointIO
from mumo.train.config import TrainConfig
from mumo.train.module import JointLMModule
from mumo.train.run import train

MODEL = {"num_codebooks": 4, "cardinality": 32, "dim": 32, "num_heads": 4, "num_layers": 2, "ffn_dim": 64,
         "condition_dim": 32}  # fmt: skip


def make_config(tmp_path, store, name: str, epochs: int, **extra) -> TrainConfig:
    data = {
        "run_dir": str(tmp_path / name),
        "seed": 3,
        "data": {"store": str(store), "window_s": 0.4, "batch_size": 4},
        "model": MODEL,
        "stage": {"tasks": {"joint": 0.5, "music2motion": 0.5}, "freeze": "none", "motion_weight": 1.0},
        "optim": {"learning_rate": 1e-3, "warmup_steps": 2, "total_steps": 100},
        "trainer": {"max_epochs": epochs, "accelerator": "cpu", "log_every_n_steps": 1,
                    "progress_bar": False},
        **extra,
    }  # fmt: skip
    return from_dict(TrainConfig, data)


def weights(run_dir, epoch: int) -> dict[str, torch.Tensor]:
    state = torch.load(run_dir / "checkpoints" / f"epoch={epoch}.ckpt", weights_only=False)["state_dict"]
    return {k: v for k, v in state.items() if k.startswith("model.")}


@pytest.mark.slow
def test_resume_equals_uninterrupted_training(tmp_path, tiny_store):
    straight = train(make_config(tmp_path, tiny_store, "straight", epochs=4))
    first = train(make_config(tmp_path, tiny_store, "split", epochs=2))
    resumed = train(make_config(tmp_path, tiny_store, "split", epochs=4, resume=str(first / "epoch=2")))
    a, b = weights(straight, 4), weights(resumed, 4)
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6)
    assert not torch.equal(weights(straight, 2)["model.out_norm.weight"], a["model.out_norm.weight"])
    losses, resumed_losses = read_loss_log(straight), read_loss_log(resumed)
    assert set(losses) == set(resumed_losses)
    assert [e for e, _ in losses["train/loss"]] == [1, 2, 3, 4]
    for name, points in losses.items():  # epochs 1-2 from the first part, 3-4 from the resumed one
        assert [e for e, _ in points] == [e for e, _ in resumed_losses[name]], name
        for (_, x), (_, y) in zip(points, resumed_losses[name], strict=True):
            assert x == pytest.approx(y, abs=1e-6), name
    report = json.loads((straight / "optimizer.json").read_text())
    assert {g["group"] for g in report["groups"]} == {"decay", "no_decay", "frozen"}
    assert {g["lr"] for g in report["groups"] if g["trainable"]} == {1e-3}  # the optimiser's own value
    assert (straight / "config.yaml").is_file()


@pytest.mark.slow
def test_init_from_loads_weights_and_freezes_and_bad_checkpoints_fail_first(tmp_path, tiny_store):
    stage1 = train(make_config(tmp_path, tiny_store, "s1", epochs=1))
    config = make_config(tmp_path, tiny_store, "s2", epochs=1, init_from=str(stage1 / "epoch=1"))
    config.stage.freeze = "motion_only"
    config.model = type(config.model)(**MODEL, layout=Layout.GIVEN_FULL)  # a new stage may change the layout
    stage2 = train(config)
    assert json.loads((stage2 / "lm_config.json").read_text())["layout"] == "given_full"
    before, after = weights(stage1, 1), weights(stage2, 1)
    torch.testing.assert_close(before["model.music_heads.0.weight"], after["model.music_heads.0.weight"])
    assert not torch.equal(before["model.motion_heads.0.weight"], after["model.motion_heads.0.weight"])

    smaller = make_config(tmp_path, tiny_store, "s3", epochs=1, init_from=str(stage1 / "epoch=1"))
    smaller.model = type(smaller.model)(**{**MODEL, "num_layers": 1})
    with pytest.raises(CheckpointError, match="do not fit"):
        train(smaller)
    other_freeze = make_config(tmp_path, tiny_store, "s2", epochs=2, resume=str(stage1 / "epoch=1"))
    other_freeze.stage.freeze = "motion_only"
    with pytest.raises(CheckpointError, match="optimiser has parameter groups"):
        train(other_freeze)
    other_layout = make_config(tmp_path, tiny_store, "s1", epochs=2, resume=str(stage1 / "epoch=1"))
    other_layout.model = type(other_layout.model)(**MODEL, layout=Layout.GIVEN_FULL)
    with pytest.raises(CheckpointError, match=r"model\.layout 'causal', this config says 'given_full'"):
        train(other_layout)
    with pytest.raises(CheckpointError, match="already holds a run"):
        train(make_config(tmp_path, tiny_store, "s1", epochs=1))
    assert not (tmp_path / "s3").exists()


def test_missing_checkpoint_fails_before_training(tmp_path, tiny_store):
    config = make_config(tmp_path, tiny_store, "x", epochs=1, init_from=str(tmp_path / "nothing" / "epoch=3"))
    with pytest.raises(CheckpointError, match="no checkpoint"):
        train(config)
    truncated = tmp_path / "broken.ckpt"
    truncated.write_bytes(b"PK\x03\x04 not a whole file")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        train(make_config(tmp_path, tiny_store, "x", epochs=1, resume=str(truncated)))
    assert not (tmp_path / "x").exists()


def test_a_crash_mid_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "checkpoints" / "epoch=1.ckpt"
    io = AtomicCheckpointIO()
    io.save_checkpoint({"step": 1}, path)

    def crash(obj, target):
        with open(target, "wb") as handle:
            handle.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        io.save_checkpoint({"step": 2}, path)
    monkeypatch.undo()
    assert torch.load(path, weights_only=False) == {"step": 1}
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_description_dropout_is_drawn_per_sample(tmp_path, tiny_store, monkeypatch):
    config = make_config(tmp_path, tiny_store, "d", epochs=1)
    config.stage.music_description_dropout = 0.5
    module = JointLMModule(config)
    seen = []
    encode = module.model.encode_descriptions

    def spy(music_texts, motion_texts):
        seen.append(list(music_texts))
        return encode(music_texts, motion_texts)

    monkeypatch.setattr(module.model, "encode_descriptions", spy)
    batch = {
        "music_codes": torch.randint(0, 32, (32, 4, 6)), "motion_codes": torch.randint(0, 32, (32, 4, 6)),
        "music_text": [f"song {i}" for i in range(32)], "motion_text": ["dance"] * 32,
        "num_frames": torch.full((32,), 6), "clip_id": [str(i) for i in range(32)],
    }  # fmt: skip
    module.task_loss(batch, Task.JOINT, dropout=True)
    assert 0 < seen[0].count("") < 32  # some samples lose their description, not the whole batch


class TextEncoderMode(Callback):
    def __init__(self) -> None:
        self.modes: list[tuple[bool, bool]] = []

    def on_train_batch_start(self, trainer, module, batch, batch_index) -> None:
        self.modes.append((module.training, module.model.text_encoder.t5.training))


@pytest.mark.slow
def test_frozen_t5_stays_in_eval_mode_while_training(tmp_path, tiny_store, tiny_t5):
    config = make_config(tmp_path, tiny_store, "t5run", epochs=1)
    config.model = type(config.model)(**{**MODEL, "text_encoder": "t5", "t5_directory": str(tiny_t5)})
    config.trainer.limit_train_batches = 2
    mode = TextEncoderMode()
    train(config, callbacks=[mode])
    assert mode.modes == [(True, False), (True, False)]


def test_unknown_task_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown task"):
        from_dict(TrainConfig, {"run_dir": "r", "data": {"store": "s"}, "stage": {"tasks": {"dance": 1.0}}})


def test_precision_is_mixed_only_on_gpu():
    config = from_dict(
        TrainConfig, {"run_dir": "r", "data": {"store": "s"}, "trainer": {"accelerator": "cpu"}}
    )
    assert config.trainer.effective_precision() == "32-true"
    config.trainer.precision = "bf16-mixed"
    assert config.trainer.effective_precision() == "bf16-mixed"


def test_a_store_without_validation_clips_trains(tmp_path):
    store = tmp_path / "store"
    info = TokenizerInfo(
        directory="/none", config_sha256="0" * 64, frame_rate=50.0, num_codebooks=4, cardinality=32
    )
    with TokenStoreWriter(store, new_store_meta(info, info)) as writer:
        for i in range(6):
            music = np.random.default_rng(i).integers(0, 32, (4, 40))
            writer.add(
                TokenItem(
                    clip_id=f"c{i}", split="test" if i == 5 else "train", music_codes=music,
                    motion_codes=(music + 1) % 32, music_text="song", motion_text="dance", duration_s=0.8,
                    style="",
                )
            )  # fmt: skip
    run_dir = train(make_config(tmp_path, store, "noval", epochs=1))
    assert (run_dir / "checkpoints" / "epoch=1.ckpt").is_file()
    losses = read_loss_log(run_dir)
    assert any(name.startswith("train/") for name in losses)
    assert not any(name.startswith("val/") for name in losses)


def test_schedule_follows_the_run_with_gradient_accumulation(tmp_path, tiny_store):
    optim = {"learning_rate": 1e-3, "warmup_steps": 1, "total_steps": None}
    trainer = {"max_epochs": 2, "accelerator": "cpu", "accumulate_grad_batches": 2, "progress_bar": False}
    run = train(make_config(tmp_path, tiny_store, "accumulate", epochs=2, optim=optim, trainer=trainer))
    report = json.loads((run / "optimizer.json").read_text())
    assert report["global_batch"] == 4 * 2  # batch 4, one device, one node, 2 batches per step
    assert report["schedule_steps"] == report["run_steps"] > 0
    assert json.loads((run / "lm_config.json").read_text()) == {**LMConfig(**MODEL).to_dict()}
    too_short = {**optim, "total_steps": report["run_steps"] - 1}
    with pytest.raises(ConfigError, match="shorter than the run"):
        train(make_config(tmp_path, tiny_store, "short", epochs=2, optim=too_short, trainer=trainer))


@pytest.mark.parametrize(("task", "corrupted"), [(Task.MOTION2MUSIC, True), (Task.MUSIC2MOTION, False)])
def test_music_input_noise_corrupts_music_only_where_it_is_generated(tmp_path, tiny_store, task, corrupted):
    config = make_config(tmp_path, tiny_store, "n", epochs=1)
    config.stage.tasks = {"motion2music": 0.5, "music2motion": 0.5}
    config.stage.music_input_noise = 0.5
    module = JointLMModule(config)
    fed = []
    forward = module.model.forward

    def spy(task, conditions, music_codes=None, motion_codes=None):
        fed.append(music_codes)
        return forward(task, conditions, music_codes, motion_codes)

    module.model.forward = spy
    music = torch.randint(0, 32, (8, 4, 6))
    batch = {
        "music_codes": music, "motion_codes": torch.randint(0, 32, (8, 4, 6)), "music_text": ["song"] * 8,
        "motion_text": ["dance"] * 8, "num_frames": torch.full((8,), 6), "clip_id": list("abcdefgh"),
    }  # fmt: skip
    module.task_loss(batch, task, dropout=True)
    assert (not torch.equal(fed[0], music)) is corrupted
    module.task_loss(batch, task, dropout=False)  # validation: never
    assert torch.equal(fed[1], music)
