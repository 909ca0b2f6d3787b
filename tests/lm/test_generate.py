from dataclasses import replace

import pytest
import torch

from mumo.lm.config import DEBUG_CONFIG
from mumo.lm.generate import generate
from mumo.lm.model import MusicMotionLM
from mumo.lm.sampling import sample_next, sampling_generator
from mumo.lm.tasks import Layout, Task


@pytest.fixture(scope="module")
def models():
    """The same random weights under each attention layout."""
    out = {}
    for layout in Layout:
        torch.manual_seed(0)
        out[layout] = MusicMotionLM(replace(DEBUG_CONFIG, layout=layout)).eval()
    return out


@pytest.fixture(scope="module")
def context_models():
    """Models with 2-layer music and motion contexts (receptive field 7 steps, shorter than the sequences
    here, so that the cached path's windows differ from the recomputed whole prefix) and their lookahead
    twins (read where a stream is given whole: ``given_full``)."""
    out = {}
    for layout in Layout:
        torch.manual_seed(0)
        out[layout] = MusicMotionLM(
            replace(
                DEBUG_CONFIG,
                layout=layout,
                music_context_layers=2,
                motion_context_layers=2,
                context_lookahead=True,
            )
        ).eval()
    return out


@pytest.fixture(params=[False, True], ids=["plain", "stream_contexts"])
def some_models(request, models, context_models):
    """Every generation property below holds with and without the stream contexts."""
    return context_models if request.param else models


@pytest.fixture(scope="module")
def model(models):
    return models[Layout.CAUSAL]


def codes(batch: int, frames: int, seed: int) -> torch.Tensor:
    return torch.randint(
        0, DEBUG_CONFIG.cardinality, (batch, 4, frames), generator=torch.Generator().manual_seed(seed)
    )


TASKS = [
    (Task.JOINT, {}, Layout.CAUSAL),
    (Task.MUSIC2MOTION, {"music_codes": 1}, Layout.CAUSAL),
    (Task.MUSIC2MOTION, {"music_codes": 1}, Layout.GIVEN_FULL),
    (Task.MOTION2MUSIC, {"motion_codes": 2}, Layout.CAUSAL),
    (Task.MUSIC, {}, Layout.CAUSAL),
    (Task.MOTION, {}, Layout.CAUSAL),
]


@pytest.mark.parametrize("temperature", [0.0, 1.0])
@pytest.mark.parametrize(("task", "given", "layout"), TASKS)
def test_cached_equals_full_recompute(some_models, task, given, layout, temperature):
    """Greedy and seeded sampling give the same tokens with the static cache as with a full recompute."""
    model = some_models[layout]
    kwargs = {name: codes(2, 12, seed) for name, seed in given.items()}
    common = dict(
        task=task, num_frames=12, batch_size=2, temperature=temperature, guidance_scale=3.0, seed=5,
        music_descriptions=["house beat", "waltz"], motion_descriptions=["bounce", "turn"], **kwargs,
    )  # fmt: skip
    cached = generate(model, use_cache=True, **common)
    recomputed = generate(model, use_cache=False, **common)
    for name in ("music_codes", "motion_codes"):
        a, b = getattr(cached, name), getattr(recomputed, name)
        assert (a is None) == (b is None)
        if a is not None:
            assert a.shape == (2, 4, 12)
            torch.testing.assert_close(a, b, rtol=0, atol=0)
    for name, value in kwargs.items():
        torch.testing.assert_close(getattr(cached, name), value)


def test_sampling_is_seeded_and_prompt_is_kept(model):
    prompt = codes(1, 5, 7)
    first = generate(model, Task.MUSIC, num_frames=10, music_codes=prompt, prompt_frames=5, seed=3)
    again = generate(model, Task.MUSIC, num_frames=10, music_codes=prompt, prompt_frames=5, seed=3)
    other = generate(model, Task.MUSIC, num_frames=10, music_codes=prompt, prompt_frames=5, seed=4)
    torch.testing.assert_close(first.music_codes, again.music_codes)
    torch.testing.assert_close(first.music_codes[..., :5], prompt)
    assert not torch.equal(first.music_codes, other.music_codes)
    assert first.music_codes.max() < DEBUG_CONFIG.cardinality


BOTH = {"music_codes": 1, "motion_codes": 2}
CONTINUATIONS = [  # task, seeds of the codes given, the streams it generates
    (Task.MUSIC, {"music_codes": 1}, ["music_codes"]),
    (Task.JOINT, BOTH, ["music_codes", "motion_codes"]),
    (Task.MUSIC2MOTION, BOTH, ["motion_codes"]),
    (Task.MOTION2MUSIC, BOTH, ["music_codes"]),
]


@pytest.mark.parametrize(("task", "given", "generated"), CONTINUATIONS)
def test_continuation_keeps_exactly_the_prompt_frames(model, task, given, generated):
    """The first ``prompt_frames`` frames of every codebook of a generated stream are its codes, the frames
    after them are sampled (the codes given there are not kept); a given stream stays whole."""
    frames, prompt = 12, 5
    kwargs = {name: codes(2, frames, seed) for name, seed in given.items()}
    first, second = (
        generate(
            model, task, num_frames=frames, prompt_frames=prompt, guidance_scale=3.0, seed=seed, **kwargs
        )
        for seed in (0, 1)
    )
    for name, value in kwargs.items():
        for result in (first, second):
            out = getattr(result, name)
            torch.testing.assert_close(out[..., :prompt], value[..., :prompt], rtol=0, atol=0)
            if name in generated:
                assert not torch.equal(out[..., prompt:], value[..., prompt:])
            else:
                torch.testing.assert_close(out, value, rtol=0, atol=0)
        if name in generated:
            assert not torch.equal(getattr(first, name)[..., prompt:], getattr(second, name)[..., prompt:])


@pytest.mark.parametrize("temperature", [0.0, 1.0])
@pytest.mark.parametrize(("task", "given"), [(task, given) for task, given, _ in CONTINUATIONS])
def test_cached_equals_full_recompute_on_a_continuation(model, task, given, temperature):
    kwargs = {name: codes(2, 7, seed) for name, seed in given.items()}
    common = dict(
        num_frames=10, prompt_frames=7, guidance_scale=3.0, temperature=temperature, seed=2,
        music_descriptions=["house beat", "waltz"], motion_descriptions=["bounce", "turn"], **kwargs,
    )  # fmt: skip
    cached = generate(model, task, **common)
    recomputed = generate(model, task, use_cache=False, **common)
    for name, value in kwargs.items():
        torch.testing.assert_close(getattr(cached, name), getattr(recomputed, name), rtol=0, atol=0)
        torch.testing.assert_close(getattr(cached, name)[..., :7], value, rtol=0, atol=0)


def test_a_prompt_needs_the_codes_of_every_generated_stream(model):
    prompt = codes(1, 4, 0)
    with pytest.raises(ValueError, match="prompt_frames=4 continues the generated music stream"):
        generate(model, Task.MUSIC, num_frames=8, prompt_frames=4)
    with pytest.raises(ValueError, match="prompt_frames=4 continues the generated motion stream"):
        generate(model, Task.JOINT, num_frames=8, music_codes=prompt, prompt_frames=4)
    with pytest.raises(ValueError, match="prompt_frames=4 continues the generated motion stream"):
        generate(model, Task.MUSIC2MOTION, num_frames=8, music_codes=prompt, prompt_frames=4)
    with pytest.raises(ValueError, match="music_codes has only 4 frames"):
        generate(model, Task.MUSIC, num_frames=8, music_codes=prompt, prompt_frames=5)
    with pytest.raises(ValueError, match="music_codes of the generated music stream are a prompt"):
        generate(model, Task.MUSIC, num_frames=8, music_codes=prompt)
    with pytest.raises(ValueError, match="between 0 and num_frames"):
        generate(model, Task.MUSIC, num_frames=3, music_codes=prompt, prompt_frames=4)


@pytest.mark.parametrize(("task", "needed"), [(Task.MUSIC2MOTION, "music"), (Task.MOTION2MUSIC, "motion")])
def test_a_task_needs_the_codes_of_the_stream_it_is_given(model, task, needed):
    """Without them it would condition on code 0 everywhere and look like a working generation."""
    with pytest.raises(
        ValueError, match=f"{needed}_codes are needed: this task is given the {needed} stream"
    ):
        generate(model, task, num_frames=8, batch_size=1)


@pytest.mark.parametrize(
    ("task", "layout"),
    [(Task.JOINT, Layout.CAUSAL), (Task.MUSIC2MOTION, Layout.CAUSAL), (Task.MUSIC2MOTION, Layout.GIVEN_FULL)],
)
def test_generation_uses_the_training_mask(some_models, task, layout):
    """Greedy cached generation must pick the argmax of the training forward's logits at every position
    (with a music context: the context of the same steps as in training)."""
    model = some_models[layout]
    given = {"music_codes": codes(2, 10, 5)} if task is Task.MUSIC2MOTION else {}
    texts = {"music_descriptions": ["a", "b"], "motion_descriptions": ["c", "d"]}
    result = generate(model, task, num_frames=10, batch_size=2, temperature=0.0, **given, **texts)
    music_texts = texts["music_descriptions"] if task is Task.JOINT else ["", ""]
    conditions = model.encode_descriptions(music_texts, texts["motion_descriptions"])
    logits = model(task, conditions, result.music_codes, result.motion_codes)
    torch.testing.assert_close(logits.motion.argmax(-1), result.motion_codes, rtol=0, atol=0)
    if task is Task.JOINT:
        torch.testing.assert_close(logits.music.argmax(-1), result.music_codes, rtol=0, atol=0)


def test_vocabulary_limit_per_stream(model):
    result = generate(model, Task.JOINT, num_frames=8, guidance_scale=3.0, motion_vocab_size=5, seed=1)
    assert result.motion_codes.max() < 5
    assert result.music_codes.max() >= 5


@pytest.mark.parametrize(
    ("task", "given", "single"),
    [(Task.MUSIC2MOTION, "music_codes", Task.MOTION), (Task.MOTION2MUSIC, "motion_codes", Task.MUSIC)],
)
def test_stream_guidance_drops_the_given_stream_in_the_unconditional_branch(some_models, task, given, single):
    """At guidance scale 0 only the unconditional branch counts: it must be the single-stream task with null
    descriptions (no music context either); at other scales the cached and the recomputed paths agree."""
    model = some_models[Layout.CAUSAL]
    stream = "motion_codes" if task is Task.MUSIC2MOTION else "music_codes"
    common = dict(
        num_frames=10, batch_size=2, temperature=0.0, stream_guidance=True, **{given: codes(2, 10, 3)}
    )
    unconditional = generate(model, task, guidance_scale=0.0, **common)
    alone = generate(model, single, num_frames=10, batch_size=2, temperature=0.0)
    torch.testing.assert_close(getattr(unconditional, stream), getattr(alone, stream), rtol=0, atol=0)
    texts = {"music_descriptions": ["a", "b"], "motion_descriptions": ["c", "d"]}
    cached = generate(model, task, guidance_scale=3.0, **common, **texts)
    recomputed = generate(model, task, guidance_scale=3.0, use_cache=False, **common, **texts)
    torch.testing.assert_close(getattr(cached, stream), getattr(recomputed, stream), rtol=0, atol=0)


def test_stream_guidance_needs_a_given_stream(model):
    with pytest.raises(ValueError, match="needs a given stream"):
        generate(model, Task.JOINT, num_frames=4, guidance_scale=3.0, stream_guidance=True)


def test_batch_size_follows_the_descriptions(model):
    result = generate(model, "music", num_frames=3, music_descriptions=["a", "b"], guidance_scale=3.0)
    assert result.music_codes.shape == (2, DEBUG_CONFIG.num_codebooks, 3)
    with pytest.raises(ValueError, match="disagree on the batch size"):
        generate(model, "music", num_frames=3, music_descriptions=["a", "b"], batch_size=3)


@pytest.mark.parametrize(("task", "given", "layout"), [TASKS[0], TASKS[2]])
def test_compiled_decoding_equals_eager(some_models, task, given, layout):
    """The compiled decoding step (static shapes, whole-cache mask rows) gives the eager tokens; the
    ``aot_eager`` backend traces exactly what inductor compiles without needing a C++ compiler's time."""
    model = some_models[layout]
    kwargs = {name: codes(2, 9, seed) for name, seed in given.items()}
    common = dict(
        task=task, num_frames=9, batch_size=2, guidance_scale=3.0, seed=2,
        music_descriptions=["house beat", "waltz"], motion_descriptions=["bounce", "turn"], **kwargs,
    )  # fmt: skip
    eager = generate(model, **common)
    for _ in range(2):  # the second run reuses the compiled step and its static cache
        compiled = generate(model, compile="aot_eager", **common)
        for name in ("music_codes", "motion_codes"):
            torch.testing.assert_close(getattr(compiled, name), getattr(eager, name), rtol=0, atol=0)


def test_sampling_generator_lives_on_the_logits_device():
    logits = torch.randn(3, 50)
    generator = sampling_generator(4, logits.device)
    assert generator.device == logits.device
    first = sample_next(logits, 1.0, 0, 0.0, generator)
    torch.testing.assert_close(first, sample_next(logits, 1.0, 0, 0.0, sampling_generator(4, "cpu")))
    with pytest.raises(ValueError, match="sampling generator is on cpu but the logits on meta"):
        sample_next(logits.to("meta"), 1.0, 0, 0.0, generator)
