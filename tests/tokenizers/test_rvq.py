import pytest
import torch

from mumo.errors import ConfigError, DataError
from mumo.tokenizers.rvq import ResidualVectorQuantizer, RVQConfig


def _quantizer(**overrides) -> ResidualVectorQuantizer:
    config = RVQConfig(**{"num_codebooks": 2, "codebook_size": 8, "dim": 4, **overrides})
    return ResidualVectorQuantizer(config)


def test_encode_decode_shapes_and_dtypes():
    torch.manual_seed(0)
    rvq = _quantizer()
    x = torch.randn(3, 4, 5)
    out = rvq(x)
    assert out.quantized.shape == (3, 4, 5)
    assert out.quantized.dtype == torch.float32
    assert out.codes.shape == (3, 2, 5)
    assert out.codes.dtype == torch.int64
    assert out.usage.shape == (2,)
    assert out.perplexity.shape == (2,)
    assert torch.all((out.usage > 0) & (out.usage <= 1))
    rvq.eval()
    codes = rvq.encode(x)
    assert codes.shape == (3, 2, 5)
    assert codes.dtype == torch.int64
    assert int(codes.max()) < 8
    assert int(codes.min()) >= 0
    decoded = rvq.decode(codes)
    assert decoded.shape == (3, 4, 5)
    torch.testing.assert_close(decoded, rvq(x).quantized)


def test_straight_through_gradient_and_commitment():
    rvq = _quantizer()
    x = torch.randn(2, 4, 6, requires_grad=True)
    out = rvq(x)
    out.quantized.sum().backward()
    torch.testing.assert_close(x.grad, torch.ones_like(x))
    expected = ((x.detach() - out.quantized.detach()) ** 2).mean()
    torch.testing.assert_close(out.commitment_loss, expected)


def test_first_batch_initialises_codebooks_from_data():
    torch.manual_seed(0)
    rvq = _quantizer(num_codebooks=1, codebook_size=4)
    data = torch.randn(64, 4) * 0.1 + 100.0  # far from the random start
    rvq(data.T[None])
    distances = torch.cdist(rvq.codebooks[0], data)
    assert float(distances.min(dim=1).values.max()) < 1e-4  # each code is a data vector


def test_ema_moves_codes_toward_assigned_data():
    torch.manual_seed(0)
    rvq = _quantizer(num_codebooks=1, codebook_size=2, decay=0.5, dead_code_steps=1000)
    centres = torch.tensor([[5.0, 0, 0, 0], [-5.0, 0, 0, 0]])
    rvq.initialized.fill_(True)
    rvq.codebooks[0] = centres + 1.0
    data = centres.repeat_interleave(16, 0) + 0.01 * torch.randn(32, 4)
    before = (rvq.codebooks[0] - centres).norm(dim=1)
    for _ in range(10):
        rvq(data.T[None])
    after = (rvq.codebooks[0] - centres).norm(dim=1)
    assert torch.all(after < before * 0.1)


def test_dead_codes_are_restarted_from_batch_vectors():
    torch.manual_seed(0)
    rvq = _quantizer(num_codebooks=1, codebook_size=4, dead_code_steps=3)
    rvq.initialized.fill_(True)
    rvq.codebooks[0] = torch.tensor([[0.0, 0, 0, 0], [1e3, 0, 0, 0], [0, 1e3, 0, 0], [0, 0, 1e3, 0]])
    data = torch.randn(64, 4) * 0.1
    for _ in range(3):
        rvq(data.T[None])
    far = rvq.codebooks[0][1:]
    assert float(far.abs().max()) < 10.0  # the three never-used codes now sit among the data
    assert torch.all(rvq.unused_steps[0] < 3)


def test_frozen_quantizer_is_bit_identical_after_training_steps():
    codebooks = torch.randn(2, 8, 4)
    rvq = ResidualVectorQuantizer(RVQConfig(num_codebooks=2, codebook_size=8, dim=4, frozen=True), codebooks)
    before = {k: v.clone() for k, v in rvq.state_dict().items()}
    rvq.train()
    for _ in range(5):
        x = torch.randn(2, 4, 10, requires_grad=True)
        out = rvq(x)
        (out.quantized.sum() + out.commitment_loss).backward()
    for name, tensor in rvq.state_dict().items():
        assert torch.equal(tensor, before[name]), name
    assert torch.equal(rvq.codebooks, codebooks)


def test_bad_config_and_codebook_shape_raise():
    with pytest.raises(ConfigError):
        RVQConfig(decay=1.0)
    with pytest.raises(ConfigError):
        ResidualVectorQuantizer(RVQConfig(num_codebooks=2, codebook_size=8, dim=4), torch.zeros(2, 8, 5))


def test_decode_rejects_codes_of_another_tokenizer():
    rvq = _quantizer()
    with pytest.raises(DataError):
        rvq.decode(torch.zeros(1, 3, 4, dtype=torch.long))
    with pytest.raises(DataError):
        rvq.decode(torch.full((1, 2, 4), 8))
