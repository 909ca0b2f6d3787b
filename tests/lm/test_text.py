"""The learned description encoders: what they read (bytes or hashed words) and that they can learn it."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mumo.lm import LMConfig
from mumo.lm.model import MusicMotionLM
from mumo.lm.text import MAX_UNITS, WORD_BUCKETS, LearnedTextEncoder, text_units


def test_bytes_are_the_utf8_bytes_cut_before_the_end_token():
    assert text_units("hé", "bytes") == [104, 195, 169]
    assert len(text_units("x" * 500, "bytes")) == MAX_UNITS - 1


def test_words_ignore_case_and_punctuation_and_tell_the_styles_apart():
    assert text_units("A slow WALTZ, at 90 bpm!", "words") == text_units("a slow waltz at 90 bpm", "words")
    assert len(text_units("Tänzerin_in Köln", "words")) == 3
    styles = [text_units(style, "words")[0] for style in ("house", "hip", "hop", "breakbeat", "waltz")]
    assert len(set(styles)) == len(styles)
    assert all(0 <= unit < WORD_BUCKETS for unit in styles)
    assert len(text_units("word " * 500, "words")) == MAX_UNITS - 1


def test_states_and_mask_cover_the_units_and_the_end_token():
    encoder = LearnedTextEncoder(16, "words")
    states, mask = encoder(["a slow waltz", "house"])
    assert states.shape == (2, 4, 16)
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]
    assert torch.all(states[1, 2:] == 0)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="text units must be one of"):
        LearnedTextEncoder(16, "letters")
    with pytest.raises(ValueError, match="'bytes', 'words' or 't5'"):
        LMConfig(num_codebooks=2, cardinality=8, dim=16, num_heads=2, num_layers=1, ffn_dim=32,
                 condition_dim=16, text_encoder="word")  # fmt: skip


def test_the_lm_builds_the_configured_encoder_and_keeps_the_null_condition_zero():
    config = LMConfig(num_codebooks=2, cardinality=8, dim=16, num_heads=2, num_layers=1, ffn_dim=32,
                      condition_dim=16, text_encoder="words")  # fmt: skip
    model = MusicMotionLM(config)
    assert isinstance(model.text_encoder, LearnedTextEncoder)
    assert model.text_encoder.units == "words"
    conditions = model.encode_descriptions(["", "upbeat house"], ["a waltz", ""])
    assert torch.all(conditions.music_states[0] == 0)
    assert torch.all(conditions.music_mask[0] == 0)
    assert torch.all(conditions.motion_states[1] == 0)
    assert conditions.motion_mask[0].sum() == 3


@pytest.mark.parametrize("units", ["bytes", "words"])
def test_the_encoder_learns_which_style_a_description_names(units):
    """Descriptions of four styles in varied templates; the style word is the only cue. A linear read-out
    of the mean state learns it (both unit kinds: the words encoder is faster, not the only one that can)."""
    torch.manual_seed(0)
    styles = ["house", "hip-hop", "breakbeat", "waltz"]
    templates = ["a {} dance", "{} moves, energetic", "someone dances {} to the beat", "slow {} steps"]
    texts = [t.format(s) for s in styles for t in templates]
    labels = torch.tensor([i for i in range(len(styles)) for _ in templates])
    encoder, head = LearnedTextEncoder(32, units, num_layers=1), nn.Linear(32, len(styles))
    optimizer = torch.optim.Adam([*encoder.parameters(), *head.parameters()], lr=3e-3)
    for _ in range(150):
        states, mask = encoder(texts)
        pooled = states.sum(1) / mask.sum(1, keepdim=True)
        loss = nn.functional.cross_entropy(head(pooled), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert (head(pooled).argmax(-1) == labels).all(), f"{units}: loss {loss.item():.3f}"
