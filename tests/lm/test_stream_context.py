"""The stream contexts (music context at the motion input, motion context at the music input): causal,
windowed exactly, their lookahead twins read only where a stream is given whole, trained by the freezing
policy of their reading stream, saved and imported."""

from dataclasses import replace

import pytest
import torch
from transformers import MusicgenDecoderConfig, MusicgenForCausalLM

from mumo.lm.config import DEBUG_CONFIG
from mumo.lm.freezing import apply_freezing
from mumo.lm.generate import generate
from mumo.lm.masks import Visibility
from mumo.lm.model import MusicMotionLM
from mumo.lm.stream_context import StreamContext, StreamContextSteps
from mumo.lm.streams import Stream
from mumo.lm.tasks import Layout, Task

CONFIG = replace(DEBUG_CONFIG, music_context_layers=3, motion_context_layers=2)
CONTEXT_KEYS = ("music_context.", "motion_context.")
LOOKAHEAD = replace(CONFIG, context_lookahead=True)


def test_output_reads_exactly_its_step_and_the_receptive_field_before_it():
    torch.manual_seed(0)
    context = StreamContext(dim=8, num_layers=3).eval()
    assert context.receptive_field == 15  # 1 + 2 * (1 + 2 + 4)
    codes = torch.randn(1, 40, 8)
    base = context(codes)
    step = 25
    later = codes.clone()
    later[:, step + 1 :] += 1.0
    torch.testing.assert_close(context(later)[:, : step + 1], base[:, : step + 1])  # no future
    assert not torch.allclose(context(later)[:, step + 1], base[:, step + 1])
    earlier = codes.clone()
    earlier[:, : step - context.receptive_field + 1] += 1.0  # older than the receptive field
    torch.testing.assert_close(context(earlier)[:, step], base[:, step])
    earlier[:, step - context.receptive_field + 1] += 1.0  # the oldest step it reads
    assert not torch.allclose(context(earlier)[:, step], base[:, step])


def test_a_lookahead_context_reads_its_step_and_the_receptive_field_after_it():
    torch.manual_seed(0)
    context = StreamContext(dim=8, num_layers=3, lookahead=True).eval()
    codes = torch.randn(1, 40, 8)
    base = context(codes)
    step = 15
    earlier = codes.clone()
    earlier[:, :step] += 1.0
    torch.testing.assert_close(context(earlier)[:, step:], base[:, step:])  # no past
    assert not torch.allclose(context(earlier)[:, step - 1], base[:, step - 1])
    later = codes.clone()
    later[:, step + context.receptive_field :] += 1.0  # beyond the receptive field
    torch.testing.assert_close(context(later)[:, step], base[:, step])
    later[:, step + context.receptive_field - 1] += 1.0  # the farthest step it reads
    assert not torch.allclose(context(later)[:, step], base[:, step])
    with pytest.raises(ValueError, match="step by step"):
        StreamContextSteps(context, rows=1, capacity=40)


@pytest.mark.parametrize("layout", list(Layout))
def test_the_lookahead_is_read_only_where_the_other_stream_is_given_whole(layout):
    """Changing the music after step s changes the motion logits of step s only in ``music2motion`` under
    ``given_full`` (music seen whole); in ``joint`` and the ``causal`` layout the motion stays causal."""
    torch.manual_seed(0)
    model = MusicMotionLM(replace(LOOKAHEAD, layout=layout)).eval()
    conditions = model.encode_descriptions(["a beat"], ["a dance"])
    music = torch.randint(0, CONFIG.cardinality, (1, 4, 20))
    motion = torch.randint(0, CONFIG.cardinality, (1, 4, 20))
    later = music.clone()
    later[:, :, 12:] = (later[:, :, 12:] + 1) % CONFIG.cardinality
    with torch.no_grad():
        for task in (Task.JOINT, Task.MUSIC2MOTION):
            before, after = (model(task, conditions, m, motion).motion for m in (music, later))
            # motion frame t is read at steps <= t + K; steps of music frames >= 12 start at step 13
            sees_ahead = task is Task.MUSIC2MOTION and layout is Layout.GIVEN_FULL
            assert torch.allclose(before[:, :, :8], after[:, :, :8]) != sees_ahead, task
        tokens = model.pattern.build(music)
        causal = model.stream_context(Stream.MUSIC, tokens, Visibility.CAUSAL)
        torch.testing.assert_close(causal, model.music_context(model.code_embeddings(Stream.MUSIC, tokens)))
        whole = model.stream_context(Stream.MUSIC, tokens, Visibility.FULL)
        torch.testing.assert_close(
            whole, causal + model.music_lookahead(model.code_embeddings(Stream.MUSIC, tokens))
        )


def test_one_step_at_a_time_gives_the_outputs_of_the_whole_sequence():
    torch.manual_seed(0)
    context = StreamContext(dim=8, num_layers=3).eval()
    codes = torch.randn(2, 40, 8)
    steps = StreamContextSteps(context, rows=2, capacity=40)
    with torch.no_grad():
        one_by_one = torch.stack([steps(codes[:, s]) for s in range(40)], dim=1)
        torch.testing.assert_close(one_by_one, context(codes))


@pytest.mark.parametrize("task", [Task.JOINT, Task.MUSIC2MOTION, Task.MOTION2MUSIC])
def test_a_bfloat16_model_generates_with_its_contexts(task):
    """The contexts follow the model's dtype (joint: one step at a time; a given stream's context at
    once)."""
    torch.manual_seed(0)
    model = MusicMotionLM(CONFIG).eval().to(torch.bfloat16)
    given = {}
    if task is not Task.JOINT:
        name = "music_codes" if task is Task.MUSIC2MOTION else "motion_codes"
        given = {name: torch.randint(0, CONFIG.cardinality, (2, 4, 6))}
    result = generate(model, task, num_frames=6, batch_size=2, guidance_scale=3.0, **given)
    generated = result.motion_codes if task is not Task.MOTION2MUSIC else result.music_codes
    assert generated.shape == (2, 4, 6)


@pytest.mark.parametrize("stream", list(Stream))
def test_a_context_reads_its_streams_code_embeddings(stream):
    torch.manual_seed(0)
    model = MusicMotionLM(CONFIG).eval()
    tokens = torch.randint(0, CONFIG.cardinality, (2, 4, 30))
    tables = model.music_embeddings if stream is Stream.MUSIC else model.motion_embeddings
    embeddings = sum(table(tokens[:, k]) for k, table in enumerate(tables))
    torch.testing.assert_close(model.stream_context(stream, tokens), model.context_module(stream)(embeddings))
    assert MusicMotionLM(DEBUG_CONFIG).stream_context(stream, tokens) is None


@pytest.mark.parametrize("layout", list(Layout))
def test_each_context_is_added_to_the_other_streams_input_where_it_sees_that_stream(layout):
    """The same weights with and without the contexts: other logits of a stream where it sees the other,
    equal logits where it does not, and equal logits once a context outputs zeros."""
    torch.manual_seed(0)
    model = MusicMotionLM(replace(CONFIG, layout=layout)).eval()
    plain = MusicMotionLM(replace(DEBUG_CONFIG, layout=layout)).eval()
    plain.load_state_dict({k: v for k, v in model.state_dict().items() if not k.startswith(CONTEXT_KEYS)})
    conditions = model.encode_descriptions(["a beat"], ["a dance"])
    music = torch.randint(0, CONFIG.cardinality, (1, 4, 20))
    motion = torch.randint(0, CONFIG.cardinality, (1, 4, 20))
    with torch.no_grad():
        ours, theirs = (
            model(Task.JOINT, conditions, music, motion),
            plain(Task.JOINT, conditions, music, motion),
        )
        assert not torch.allclose(ours.motion, theirs.motion)
        assert not torch.allclose(ours.music, theirs.music)
        for task, reads, ignores in (
            (Task.MUSIC2MOTION, "motion", "music"),
            (Task.MOTION2MUSIC, "music", "motion"),
        ):
            ours, theirs = model(task, conditions, music, motion), plain(task, conditions, music, motion)
            assert not torch.allclose(getattr(ours, reads), getattr(theirs, reads))
            torch.testing.assert_close(getattr(ours, ignores), getattr(theirs, ignores))
        torch.testing.assert_close(
            model(Task.MOTION, conditions, None, motion).motion,
            plain(Task.MOTION, conditions, None, motion).motion,
        )
        torch.testing.assert_close(
            model(Task.MUSIC, conditions, music, None).music, plain(Task.MUSIC, conditions, music, None).music
        )
        for module in (model.music_context, model.motion_context):
            module.norm.weight.zero_()
            module.norm.bias.zero_()
        ours, theirs = (
            model(Task.JOINT, conditions, music, motion),
            plain(Task.JOINT, conditions, music, motion),
        )
        torch.testing.assert_close(ours.motion, theirs.motion)
        torch.testing.assert_close(ours.music, theirs.music)


@pytest.mark.parametrize(("policy", "trains", "frozen"), [
    ("motion_only", "music_context.", "motion_context."),
    ("motion_only", "music_lookahead.", "motion_lookahead."),
    ("music_only", "motion_context.", "music_context."),
    ("music_only", "motion_lookahead.", "music_lookahead."),
])  # fmt: skip
def test_a_stream_only_freezing_trains_the_context_that_stream_reads(policy, trains, frozen):
    model = MusicMotionLM(LOOKAHEAD)
    apply_freezing(model, policy)
    parameters = dict(model.named_parameters())
    assert [name for name in parameters if name.startswith(trains)]
    for name, parameter in parameters.items():
        if name.startswith(trains):
            assert parameter.requires_grad, name
        if name.startswith(frozen):
            assert not parameter.requires_grad, name


def test_saved_and_loaded_strictly_with_its_config(tmp_path):
    model = MusicMotionLM(LOOKAHEAD)
    model.save_pretrained(tmp_path / "lm")
    loaded = MusicMotionLM.from_pretrained(tmp_path / "lm")
    assert (loaded.config.music_context_layers, loaded.config.motion_context_layers) == (3, 2)
    assert loaded.config.context_lookahead
    assert len(loaded.motion_lookahead.convs) == 2
    for key, value in model.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[key], value)
    for name in ("music_context_layers", "motion_context_layers"):
        with pytest.raises(ValueError, match=name):
            replace(DEBUG_CONFIG, **{name: -1})


def test_a_musicgen_import_keeps_both_contexts_fresh_and_refuses_musicgens_own_settings():
    decoder = MusicgenDecoderConfig(
        vocab_size=32, num_codebooks=4, num_hidden_layers=2, num_attention_heads=4, hidden_size=32,
        ffn_dim=64, pad_token_id=32, bos_token_id=32, max_position_embeddings=256,
    )  # fmt: skip
    torch.manual_seed(0)
    reference = MusicgenForCausalLM(decoder).eval()
    model = MusicMotionLM.from_musicgen(
        reference, music_context_layers=2, motion_context_layers=2, context_lookahead=True
    )
    assert (model.config.music_context_layers, model.config.motion_context_layers) == (2, 2)
    assert len(model.music_context.convs) == len(model.motion_context.convs) == 2
    # not copies of each other (the motion parts are copies of the music parts; the contexts are not)
    assert not torch.equal(model.motion_context.convs[0].weight, model.music_context.convs[0].weight)
    assert not torch.equal(model.motion_lookahead.convs[0].weight, model.music_lookahead.convs[0].weight)
    with pytest.raises(ValueError, match="dim"):
        MusicMotionLM.from_musicgen(reference, dim=64)
