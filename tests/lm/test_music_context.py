"""The motion stream's music context: causal, windowed exactly, trained by stage 1, saved and imported."""

from dataclasses import replace

import pytest
import torch
from transformers import MusicgenDecoderConfig, MusicgenForCausalLM

from mumo.lm.config import DEBUG_CONFIG
from mumo.lm.freezing import apply_freezing
from mumo.lm.generate import generate
from mumo.lm.model import MusicMotionLM
from mumo.lm.music_context import MusicContext, MusicContextSteps
from mumo.lm.tasks import Layout, Task

CONFIG = replace(DEBUG_CONFIG, music_context_layers=3)


def test_output_reads_exactly_its_step_and_the_receptive_field_before_it():
    torch.manual_seed(0)
    context = MusicContext(dim=8, num_layers=3).eval()
    assert context.receptive_field == 15  # 1 + 2 * (1 + 2 + 4)
    music = torch.randn(1, 40, 8)
    base = context(music)
    step = 25
    later = music.clone()
    later[:, step + 1 :] += 1.0
    torch.testing.assert_close(context(later)[:, : step + 1], base[:, : step + 1])  # no future
    assert not torch.allclose(context(later)[:, step + 1], base[:, step + 1])
    earlier = music.clone()
    earlier[:, : step - context.receptive_field + 1] += 1.0  # older than the receptive field
    torch.testing.assert_close(context(earlier)[:, step], base[:, step])
    earlier[:, step - context.receptive_field + 1] += 1.0  # the oldest step it reads
    assert not torch.allclose(context(earlier)[:, step], base[:, step])


def test_one_step_at_a_time_gives_the_outputs_of_the_whole_sequence():
    torch.manual_seed(0)
    context = MusicContext(dim=8, num_layers=3).eval()
    music = torch.randn(2, 40, 8)
    steps = MusicContextSteps(context, rows=2, capacity=40)
    with torch.no_grad():
        one_by_one = torch.stack([steps(music[:, s]) for s in range(40)], dim=1)
        torch.testing.assert_close(one_by_one, context(music))


@pytest.mark.parametrize("task", [Task.JOINT, Task.MUSIC2MOTION])
def test_a_bfloat16_model_generates_with_its_context(task):
    """The context follows the model's dtype (joint: one step at a time; music2motion: the given music's
    context at once)."""
    torch.manual_seed(0)
    model = MusicMotionLM(CONFIG).eval().to(torch.bfloat16)
    given = {}
    if task is Task.MUSIC2MOTION:
        given = {"music_codes": torch.randint(0, CONFIG.cardinality, (2, 4, 6))}
    result = generate(model, task, num_frames=6, batch_size=2, guidance_scale=3.0, **given)
    assert result.motion_codes.shape == (2, 4, 6)


def test_the_model_reads_its_music_code_embeddings():
    torch.manual_seed(0)
    model = MusicMotionLM(CONFIG).eval()
    tokens = torch.randint(0, CONFIG.cardinality, (2, 4, 30))
    embeddings = sum(table(tokens[:, k]) for k, table in enumerate(model.music_embeddings))
    torch.testing.assert_close(model.motion_music_context(tokens), model.music_context(embeddings))
    assert MusicMotionLM(DEBUG_CONFIG).motion_music_context(tokens) is None


@pytest.mark.parametrize("layout", list(Layout))
def test_the_context_is_added_to_the_motion_input_where_motion_sees_music(layout):
    """The same weights with and without a context: other motion logits where motion sees music, equal
    logits in the motion-only task, and equal logits once the context outputs zeros."""
    torch.manual_seed(0)
    model = MusicMotionLM(replace(CONFIG, layout=layout)).eval()
    plain = MusicMotionLM(replace(DEBUG_CONFIG, layout=layout)).eval()
    plain.load_state_dict({k: v for k, v in model.state_dict().items() if not k.startswith("music_context.")})
    conditions = model.encode_descriptions(["a beat"], ["a dance"])
    music = torch.randint(0, CONFIG.cardinality, (1, 4, 20))
    motion = torch.randint(0, CONFIG.cardinality, (1, 4, 20))
    with torch.no_grad():
        for task in (Task.MUSIC2MOTION, Task.JOINT):
            ours, theirs = model(task, conditions, music, motion), plain(task, conditions, music, motion)
            assert not torch.allclose(ours.motion, theirs.motion)
        alone = model(Task.MOTION, conditions, None, motion).motion
        torch.testing.assert_close(alone, plain(Task.MOTION, conditions, None, motion).motion)
        model.music_context.norm.weight.zero_()
        model.music_context.norm.bias.zero_()
        torch.testing.assert_close(
            model(Task.MUSIC2MOTION, conditions, music, motion).motion,
            plain(Task.MUSIC2MOTION, conditions, music, motion).motion,
        )


def test_motion_only_freezing_trains_the_context():
    model = MusicMotionLM(CONFIG)
    apply_freezing(model, "motion_only")
    context = dict(model.named_parameters())
    names = [name for name in context if name.startswith("music_context.")]
    assert names
    assert all(context[name].requires_grad for name in names)
    assert not model.music_embeddings[0].weight.requires_grad
    apply_freezing(model, "music_only")
    assert not any(context[name].requires_grad for name in names)


def test_saved_and_loaded_strictly_with_its_config(tmp_path):
    model = MusicMotionLM(CONFIG)
    model.save_pretrained(tmp_path / "lm")
    loaded = MusicMotionLM.from_pretrained(tmp_path / "lm")
    assert loaded.config.music_context_layers == 3
    for key, value in model.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[key], value)
    with pytest.raises(ValueError, match="music_context_layers"):
        replace(DEBUG_CONFIG, music_context_layers=-1)


def test_a_musicgen_import_keeps_the_context_fresh_and_loads_strictly():
    decoder = MusicgenDecoderConfig(
        vocab_size=32, num_codebooks=4, num_hidden_layers=2, num_attention_heads=4, hidden_size=32,
        ffn_dim=64, pad_token_id=32, bos_token_id=32, max_position_embeddings=256,
    )  # fmt: skip
    torch.manual_seed(0)
    reference = MusicgenForCausalLM(decoder).eval()
    model = MusicMotionLM.from_musicgen(reference, music_context_layers=2)
    assert model.config.music_context_layers == 2
    assert model.music_context is not None
    assert len(model.music_context.convs) == 2
