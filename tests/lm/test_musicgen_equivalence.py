import pytest
import torch
from transformers import MusicgenDecoderConfig, MusicgenForCausalLM

from mumo.errors import CheckpointError
from mumo.lm.config import LMConfig
from mumo.lm.generate import generate
from mumo.lm.model import MusicMotionLM
from mumo.lm.musicgen_import import random_musicgen


def tiny_musicgen(num_codebooks: int, heads: int, layers: int, width: int, card: int) -> MusicgenForCausalLM:
    torch.manual_seed(num_codebooks * 100 + width)
    config = MusicgenDecoderConfig(
        vocab_size=card,
        max_position_embeddings=64,
        num_hidden_layers=layers,
        ffn_dim=2 * width,
        num_attention_heads=heads,
        hidden_size=width,
        num_codebooks=num_codebooks,
        pad_token_id=card,
        bos_token_id=card,
        dropout=0.0,
    )
    return MusicgenForCausalLM(config).eval()


@pytest.mark.parametrize(
    ("num_codebooks", "heads", "layers", "width", "card"),
    [(4, 4, 2, 32, 64), (2, 2, 3, 48, 100), (8, 8, 1, 64, 17)],
)
def test_music_logits_match_transformers(num_codebooks, heads, layers, width, card):
    reference = tiny_musicgen(num_codebooks, heads, layers, width, card)
    ours = MusicMotionLM.from_musicgen(reference).eval()
    batch, steps, text_len = 2, 11, 5
    sequence = torch.randint(0, card + 1, (batch, num_codebooks, steps))
    states = torch.randn(batch, text_len, width)
    mask = torch.ones(batch, text_len, dtype=torch.long)
    mask[1, 3:] = 0
    with torch.no_grad():
        expected = reference(
            input_ids=sequence.reshape(batch * num_codebooks, steps),
            encoder_hidden_states=states,
            encoder_attention_mask=mask,
        ).logits
        got = ours.music_logits(sequence, states, mask)
    expected = expected.reshape(batch, num_codebooks, steps, card)
    assert got.shape == (batch, num_codebooks, steps, card)
    assert (got - expected).abs().max().item() < 1e-4


def test_motion_parts_copied_or_fresh():
    reference = tiny_musicgen(4, 4, 2, 32, 64)
    copied = MusicMotionLM.from_musicgen(reference)
    torch.testing.assert_close(copied.motion_embeddings[2].weight, copied.music_embeddings[2].weight)
    torch.testing.assert_close(copied.layers[1].motion_ffn.fc1.weight, copied.layers[1].music_ffn.fc1.weight)
    fresh = MusicMotionLM.from_musicgen(reference, copy_music_to_motion=False)
    assert not torch.equal(fresh.motion_heads[0].weight, fresh.music_heads[0].weight)


def test_import_from_directory_and_missing_directory(tmp_path):
    reference = tiny_musicgen(2, 2, 1, 16, 32)
    reference.save_pretrained(tmp_path / "musicgen")
    model = MusicMotionLM.from_musicgen(tmp_path / "musicgen")
    torch.testing.assert_close(model.music_heads[1].weight, reference.lm_heads[1].weight)
    with pytest.raises(CheckpointError, match=r"expected config\.json"):
        MusicMotionLM.from_musicgen(tmp_path / "nope")


# (K, heads, layers, width, card, T5 width); width == T5 width: MusicGen has no enc_to_dec_proj
WHOLE_SHAPES = [
    (4, 4, 2, 32, 64, 16),
    (2, 2, 3, 48, 100, 24),
    (4, 4, 1, 32, 17, 32),
]
PROMPTS = ["a house track with a deep bass line", "slow", "calm piano, rain"]


def whole_musicgen(num_codebooks, heads, layers, width, card, text_dim):
    config = LMConfig(
        num_codebooks=num_codebooks, cardinality=card, dim=width, num_heads=heads, num_layers=layers,
        ffn_dim=2 * width, condition_dim=width,
    )  # fmt: skip
    return random_musicgen(config, text_dim=text_dim, seed=num_codebooks * 100 + width)


@pytest.mark.parametrize("shape", WHOLE_SHAPES, ids=str)
def test_text_conditioned_logits_match_transformers(shape):
    reference, tokenizer = whole_musicgen(*shape)
    ours = MusicMotionLM.from_musicgen(reference, tokenizer=tokenizer).eval()
    num_codebooks, card = shape[0], shape[4]
    batch, steps = len(PROMPTS), 9
    prompts = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    assert (prompts["attention_mask"] == 0).any()  # padded prompts
    sequence = torch.randint(
        0, card + 1, (batch, num_codebooks, steps), generator=torch.Generator().manual_seed(1)
    )
    with torch.no_grad():
        expected = reference(**prompts, decoder_input_ids=sequence.reshape(-1, steps)).logits
        conditions = ours.encode_descriptions(PROMPTS, PROMPTS)
        got = ours.music_logits(sequence, conditions.music_states, conditions.music_mask)
    expected = expected.reshape(batch, num_codebooks, steps, card)
    assert expected.abs().max() > 0.1
    assert (got - expected).abs().max().item() < 1e-4


@pytest.mark.parametrize("guidance_scale", [1.0, 3.0])
def test_greedy_guided_generation_gives_the_tokens_of_transformers(guidance_scale):
    reference, tokenizer = whole_musicgen(*WHOLE_SHAPES[0])
    ours = MusicMotionLM.from_musicgen(reference, tokenizer=tokenizer).eval()
    num_frames, num_codebooks = 12, WHOLE_SHAPES[0][0]
    decoded = {}
    decode = reference.audio_encoder.decode

    def keep_codes(codes, *args, **kwargs):  # transformers returns audio; the codes are what it decodes
        decoded["codes"] = codes
        return decode(codes, *args, **kwargs)

    reference.audio_encoder.decode = keep_codes
    with torch.no_grad():
        reference.generate(
            **tokenizer(PROMPTS, padding=True, return_tensors="pt"), do_sample=False,
            guidance_scale=guidance_scale, max_new_tokens=num_frames + num_codebooks - 1,
        )  # fmt: skip
    ours_codes = generate(
        ours, "music", num_frames=num_frames, music_descriptions=PROMPTS, guidance_scale=guidance_scale,
        temperature=0.0,
    ).music_codes  # fmt: skip
    assert ours_codes.shape == (len(PROMPTS), num_codebooks, num_frames)
    assert torch.equal(ours_codes, decoded["codes"][0])


def test_whole_musicgen_directory_imports_frozen_t5_projection_and_tokenizer(tmp_path):
    reference, tokenizer = whole_musicgen(*WHOLE_SHAPES[0])
    reference.save_pretrained(tmp_path / "musicgen")
    tokenizer.save_pretrained(tmp_path / "musicgen")
    model = MusicMotionLM.from_musicgen(tmp_path / "musicgen")
    assert model.config.text_encoder == "t5"
    assert model.config.t5_directory == str(tmp_path / "musicgen")
    torch.testing.assert_close(model.text_encoder.projection.weight, reference.enc_to_dec_proj.weight)
    model.train()
    t5 = model.text_encoder.t5
    assert not t5.training
    assert not any(p.requires_grad for p in t5.parameters())
    assert not any(k.startswith("text_encoder.t5") for k in model.state_dict())
    saved = MusicMotionLM.from_pretrained(model.save_pretrained(tmp_path / "lm")).eval()
    model.eval()
    sequence = torch.randint(0, 65, (2, 4, 5))
    with torch.no_grad():
        conditions = [m.encode_descriptions(PROMPTS[:2], PROMPTS[:2]) for m in (model, saved)]
        logits = [
            m.music_logits(sequence, c.music_states, c.music_mask)
            for m, c in zip((model, saved), conditions, strict=True)
        ]
    torch.testing.assert_close(logits[0], logits[1])


def test_whole_musicgen_import_names_tensors_it_cannot_place():
    reference, tokenizer = whole_musicgen(*WHOLE_SHAPES[0])
    reference.register_parameter("stray_scale", torch.nn.Parameter(torch.ones(3)))
    with pytest.raises(CheckpointError, match="stray_scale"):
        MusicMotionLM.from_musicgen(reference, tokenizer=tokenizer)


def test_null_condition_is_musicgens_unconditional_branch():
    reference, tokenizer = whole_musicgen(*WHOLE_SHAPES[0])
    ours = MusicMotionLM.from_musicgen(reference, tokenizer=tokenizer).eval()
    sequence = torch.randint(0, 65, (1, 4, 6))
    with torch.no_grad():
        null = ours.encode_descriptions([""], [""])
        got = ours.music_logits(sequence, null.music_states, null.music_mask)
        states = torch.zeros(1, 3, 16)  # MusicGen's null: zero T5 states under a zero mask
        expected = reference(
            encoder_outputs=(states,), attention_mask=torch.zeros(1, 3, dtype=torch.long),
            decoder_input_ids=sequence.reshape(4, 6),
        ).logits.reshape(1, 4, 6, 64)  # fmt: skip
    assert not null.music_mask.any()
    assert not null.music_states.any()
    assert (got - expected).abs().max().item() < 1e-4
