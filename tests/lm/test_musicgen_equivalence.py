import pytest
import torch
from transformers import MusicgenDecoderConfig, MusicgenForCausalLM

from mumo.errors import CheckpointError
from mumo.lm.model import MusicMotionLM


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
