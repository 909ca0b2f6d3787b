import pytest
import torch

from mumo.lm.config import DEBUG_CONFIG
from mumo.lm.delay_pattern import DelayPattern
from mumo.lm.masks import Visibility, cross_attention_mask, two_stream_mask
from mumo.lm.model import MusicMotionLM
from mumo.lm.streams import Stream
from mumo.lm.tasks import TASK_SPECS, Layout, Task, task_spec


def grid(rows: list[str]) -> torch.Tensor:
    return torch.tensor([[c == "1" for c in row.replace(" ", "")] for row in rows])


def test_joint_mask_cell_by_cell():
    expected = grid(
        [
            "1000 1000",
            "1100 1100",
            "1110 1110",
            "1111 1111",
            "1000 1000",
            "1100 1100",
            "1110 1110",
            "1111 1111",
        ]
    )
    torch.testing.assert_close(two_stream_mask(4, 4, Visibility.CAUSAL, Visibility.CAUSAL), expected)


def test_music2motion_masks_cell_by_cell():
    full = grid(
        [
            "1000 0000",
            "1100 0000",
            "1110 0000",
            "1111 0000",
            "1111 1000",
            "1111 1100",
            "1111 1110",
            "1111 1111",
        ]
    )
    torch.testing.assert_close(two_stream_mask(4, 4, Visibility.NONE, Visibility.FULL), full)
    causal = grid(
        [
            "1000 0000",
            "1100 0000",
            "1110 0000",
            "1111 0000",
            "1000 1000",
            "1100 1100",
            "1110 1110",
            "1111 1111",
        ]
    )
    torch.testing.assert_close(two_stream_mask(4, 4, Visibility.NONE, Visibility.CAUSAL), causal)
    mirror = two_stream_mask(4, 4, Visibility.FULL, Visibility.NONE)
    torch.testing.assert_close(mirror[:4, 4:], torch.ones(4, 4, dtype=torch.bool))
    assert not mirror[4:, :4].any()


def test_task_table():
    assert task_spec(Task.MUSIC2MOTION).music_sees_motion is Visibility.NONE
    assert task_spec(Task.MUSIC2MOTION, Layout.GIVEN_FULL).motion_sees_music is Visibility.FULL
    assert not task_spec(Task.MUSIC).motion_stream
    assert not task_spec(Task.MUSIC2MOTION).music_description


def test_every_layout_has_every_task_and_sees_only_given_streams_whole():
    assert set(TASK_SPECS) == set(Layout)
    for layout, specs in TASK_SPECS.items():
        assert set(specs) == set(Task), layout
        for task, spec in specs.items():
            if spec.music_sees_motion is Visibility.FULL:
                assert spec.motion_stream, (layout, task)
                assert not spec.generates_motion, (layout, task)
            if spec.motion_sees_music is Visibility.FULL:
                assert spec.music_stream, (layout, task)
                assert not spec.generates_music, (layout, task)


def test_the_given_full_layout_differs_from_the_causal_one_only_where_a_stream_is_given():
    """``given_full`` is the causal layout with the given stream of music2motion / motion2music seen whole."""
    for task in Task:
        causal, full = task_spec(task, Layout.CAUSAL), task_spec(task, "given_full")
        if task is Task.MUSIC2MOTION:
            assert (causal.motion_sees_music, full.motion_sees_music) == (Visibility.CAUSAL, Visibility.FULL)
            assert full.music_sees_motion is causal.music_sees_motion is Visibility.NONE
        elif task is Task.MOTION2MUSIC:
            assert (causal.music_sees_motion, full.music_sees_motion) == (Visibility.CAUSAL, Visibility.FULL)
            assert full.motion_sees_music is causal.motion_sees_music is Visibility.NONE
        else:
            assert full == causal, task
    with pytest.raises(ValueError, match="sideways"):
        task_spec(Task.JOINT, "sideways")


def test_cross_attention_mask_routes_descriptions():
    music_text = torch.tensor([[1, 1, 0]])
    motion_text = torch.tensor([[1, 1]])
    mask = cross_attention_mask(2, 3, music_text, motion_text)[0, 0]
    torch.testing.assert_close(mask[:2], grid(["11000", "11000"]))
    torch.testing.assert_close(mask[2:], grid(["00011", "00011", "00011"]))


def test_delay_pattern_round_trip():
    pattern = DelayPattern(4, special_token=99)
    codes = torch.randint(0, 99, (2, 4, 6))
    sequence = pattern.build(codes)
    assert sequence.shape == (2, 4, 10)
    assert (sequence[:, :, 0] == 99).all()
    assert sequence[0, 2, 3] == codes[0, 2, 0]
    torch.testing.assert_close(pattern.revert(sequence, 6), codes)
    assert pattern.valid_steps(6).sum() == 4 * 6


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(1)
    return MusicMotionLM(DEBUG_CONFIG).eval()


def final_hidden_states(model: MusicMotionLM, task: Task, conditions, music, motion):
    """The teacher-forced logits of ``task`` and the final hidden states ``[B, Qm + Qd, D]`` behind them."""
    captured = []
    hook = model.out_norm.register_forward_hook(lambda module, args, out: captured.append(out))
    try:
        with torch.no_grad():
            logits = model(task, conditions, music, motion)
    finally:
        hook.remove()
    return logits, captured[0]


def test_invisible_tokens_do_not_change_logits(model):
    """In music2motion, music never sees motion; motion at frame t never sees later motion."""
    gen = torch.Generator().manual_seed(0)
    music = torch.randint(0, 32, (1, 4, 8), generator=gen)
    motion = torch.randint(0, 32, (1, 4, 8), generator=gen)
    conditions = model.encode_descriptions(["x"], ["y"])
    base, base_hidden = final_hidden_states(model, Task.MUSIC2MOTION, conditions, music, motion)
    changed_motion = motion.clone()
    changed_motion[:, :, 6:] = (changed_motion[:, :, 6:] + 1) % 32
    after, after_hidden = final_hidden_states(model, Task.MUSIC2MOTION, conditions, music, changed_motion)
    music_steps = model.pattern.input_length(8)
    torch.testing.assert_close(base_hidden[:, :music_steps], after_hidden[:, :music_steps], rtol=0, atol=0)
    # motion logits of frame t read pattern steps <= t + k; codes of frames >= 6 enter at steps >= 7
    torch.testing.assert_close(base.motion[:, 0, :6], after.motion[:, 0, :6], rtol=0, atol=0)
    assert not torch.allclose(base.motion[:, 0, 7:], after.motion[:, 0, 7:])


@pytest.mark.parametrize("task", list(Task))
def test_teacher_forcing_gives_the_logits_of_the_predicted_streams_only(model, task):
    """A task's forward gives logits for the streams it predicts, and none for a given one; they are the
    heads' outputs at every pattern step, reverted to the codes' frames by the delay pattern."""
    gen = torch.Generator().manual_seed(0)
    spec = task_spec(task, model.config.layout)
    music = torch.randint(0, 32, (2, 4, 6), generator=gen) if spec.music_stream else None
    motion = torch.randint(0, 32, (2, 4, 6), generator=gen) if spec.motion_stream else None
    conditions = model.encode_descriptions(["a", "b"], ["c", "d"])
    logits, hidden = final_hidden_states(model, task, conditions, music, motion)
    music_steps = model.pattern.input_length(6) if spec.music_stream else 0
    parts = {Stream.MUSIC: hidden[:, :music_steps], Stream.MOTION: hidden[:, music_steps:]}
    for stream, got in ((Stream.MUSIC, logits.music), (Stream.MOTION, logits.motion)):
        if not spec.generates(stream):
            assert got is None
            continue
        with torch.no_grad():
            every_step = model.stream_logits(stream, parts[stream])
        assert got is not None
        assert got.shape == (2, 4, 6, model.config.cardinality)
        torch.testing.assert_close(got, model.pattern.revert_logits(every_step, 6))


def test_text_cross_attention_is_not_causal(model):
    """Changing the last description byte changes the logits of the very first step."""
    music = torch.randint(0, 32, (1, 4, 6))
    with torch.no_grad():
        a = model(Task.MUSIC, model.encode_descriptions(["a long description A"], [""]), music)
        b = model(Task.MUSIC, model.encode_descriptions(["a long description B"], [""]), music)
    assert not torch.allclose(a.music[:, 0, 0], b.music[:, 0, 0])


def test_a_misspelt_visibility_fails_where_it_is_written():
    with pytest.raises(ValueError, match="'ful' is not a valid Visibility"):
        two_stream_mask(4, 4, "ful", Visibility.NONE)
