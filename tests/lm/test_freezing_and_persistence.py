import json
from dataclasses import replace

import pytest
import torch
from transformers import ByT5Tokenizer, T5Config, T5EncoderModel

from mumo.errors import CheckpointError
from mumo.lm.config import DEBUG_CONFIG, LMConfig
from mumo.lm.freezing import apply_freezing, is_trainable, parameter_groups
from mumo.lm.model import MusicMotionLM
from mumo.lm.tasks import Layout, Task
from mumo.lm.text import drop_descriptions


def test_motion_only_policy_names():
    assert is_trainable("motion_embeddings.0.weight", "motion_only")
    assert is_trainable("layers.3.motion_ffn.fc1.weight", "motion_only")
    assert is_trainable("layers.3.motion_ffn_norm.bias", "motion_only")
    assert is_trainable("motion_heads.2.weight", "motion_only")
    for frozen in ("music_embeddings.0.weight", "layers.0.self_attn.q_proj.weight", "out_norm.weight",
                   "layers.1.cross_attn_norm.weight", "text_encoder.embedding.weight"):  # fmt: skip
        assert not is_trainable(frozen, "motion_only"), frozen
    with pytest.raises(ValueError, match="unknown freezing policy"):
        is_trainable("x", "motion")


def test_all_but_text_encoder_policy_freezes_only_the_description_encoder():
    model = MusicMotionLM(DEBUG_CONFIG)
    apply_freezing(model, "all_but_text_encoder")
    frozen = [name for name, p in model.named_parameters() if not p.requires_grad]
    assert frozen
    assert all(name.startswith("text_encoder.") for name in frozen)
    assert all(
        p.requires_grad for name, p in model.named_parameters() if not name.startswith("text_encoder.")
    )


def test_frozen_tensors_unchanged_and_without_optimizer_state():
    torch.manual_seed(0)
    model = MusicMotionLM(DEBUG_CONFIG)
    summary = apply_freezing(model, "motion_only")
    assert 0 < summary.trainable < summary.frozen
    assert "motion_only" in str(summary)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.AdamW(parameter_groups(model, weight_decay=0.1), lr=1e-2)
    codes = torch.randint(0, 32, (2, 4, 6))
    for _ in range(3):
        logits = model(Task.MUSIC2MOTION, model.encode_descriptions(["a", "b"], ["c", "d"]), codes, codes)
        loss = logits.motion.logsumexp(-1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = model.state_dict()
    names = dict(model.named_parameters())
    for key, value in before.items():
        trained = key in names and names[key].requires_grad
        assert torch.equal(value, after[key]) != trained, key
    stateful = {id(p) for p in optimizer.state}
    assert all(id(p) not in stateful for p in model.parameters() if not p.requires_grad)


def test_save_and_load_round_trip(tmp_path):
    model = MusicMotionLM(DEBUG_CONFIG)
    model.save_pretrained(tmp_path / "lm")
    loaded = MusicMotionLM.from_pretrained(tmp_path / "lm")
    for key, value in model.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[key], value)


def test_the_layout_is_saved_in_the_config_and_an_unknown_one_is_refused_by_name(tmp_path):
    model = MusicMotionLM(replace(DEBUG_CONFIG, layout=Layout.GIVEN_FULL))
    config_path = model.save_pretrained(tmp_path / "lm") / "config.json"
    assert json.loads(config_path.read_text())["layout"] == "given_full"
    assert MusicMotionLM.from_pretrained(tmp_path / "lm").config.layout is Layout.GIVEN_FULL
    config_path.write_text(json.dumps({**json.loads(config_path.read_text()), "layout": "sideways"}))
    with pytest.raises(CheckpointError, match=r"one of \['causal', 'given_full'\], got 'sideways'"):
        MusicMotionLM.from_pretrained(tmp_path / "lm")
    assert LMConfig(layout="given_full").layout is Layout.GIVEN_FULL  # a name from JSON or YAML
    with pytest.raises(ValueError, match="layout must be one of"):
        LMConfig(layout=True)


def test_strict_loading_lists_bad_tensors(tmp_path):
    model = MusicMotionLM(DEBUG_CONFIG)
    model.save_pretrained(tmp_path / "lm")
    other = MusicMotionLM(LMConfig(**{**DEBUG_CONFIG.to_dict(), "ffn_dim": 48}))
    from safetensors.torch import save_file

    save_file(
        {k: v.contiguous() for k, v in other.state_dict().items()}, str(tmp_path / "lm" / "model.safetensors")
    )
    with pytest.raises(CheckpointError, match=r"mis-shaped \['layers.0.motion_ffn.fc1.weight"):
        MusicMotionLM.from_pretrained(tmp_path / "lm")
    with pytest.raises(CheckpointError, match=r"config\.json not found"):
        MusicMotionLM.from_pretrained(tmp_path / "missing")


def test_t5_text_encoder_from_local_directory_stays_frozen(tmp_path):
    config = T5Config(vocab_size=384, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=4)
    T5EncoderModel(config).save_pretrained(tmp_path / "t5")
    ByT5Tokenizer().save_pretrained(tmp_path / "t5")
    lm_config = LMConfig(
        **{**DEBUG_CONFIG.to_dict(), "text_encoder": "t5", "t5_directory": str(tmp_path / "t5")}
    )
    model = MusicMotionLM(lm_config)
    model.train()
    assert not model.text_encoder.t5.training
    conditions = model.encode_descriptions(["a song", ""], ["a dance", "x"])
    assert conditions.music_states.shape[-1] == DEBUG_CONFIG.condition_dim
    assert conditions.music_mask[1].sum() == 0  # the null description: zero mask, zero states
    assert not conditions.music_states[1].any()
    assert conditions.music_mask[0].sum() == len(b"a song") + 1  # bytes + end token
    assert not any(k.startswith("text_encoder.t5") for k in model.state_dict())


def test_description_dropout_is_per_sample():
    texts = [f"t{i}" for i in range(400)]
    dropped = drop_descriptions(texts, 0.3, torch.Generator().manual_seed(0))
    share = sum(d == "" for d in dropped) / len(texts)
    assert 0.2 < share < 0.4
