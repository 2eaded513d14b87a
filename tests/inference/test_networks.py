"""The pix2pix networks, in plain torch (no Django involved)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from torch import nn

from inference.serving.pix2pix.generator_config import GeneratorConfig
from inference.serving.pix2pix.imaging import batch_to_images
from inference.serving.pix2pix.networks import (
    BatchInvariantConvTranspose2d,
    NLayerDiscriminator,
    build_generator,
    init_weights,
)


def seeded(net: nn.Module, seed: int = 1) -> nn.Module:
    return init_weights(net, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(
    ("num_downs", "ngf", "size"),
    [(8, 8, 256), (8, 16, 256), (7, 8, 128), (5, 4, 64), (6, 8, 256)],
)
def test_generator_keeps_image_shape(num_downs: int, ngf: int, size: int) -> None:
    net = build_generator(GeneratorConfig(num_downs=num_downs, ngf=ngf)).eval()
    with torch.inference_mode():
        out = net(torch.zeros(2, 3, size, size))
    assert out.shape == (2, 3, size, size)
    assert out.abs().max() <= 1.0  # tanh output


def test_generator_maps_channels_and_skips_connect_every_level() -> None:
    config = GeneratorConfig(input_nc=1, output_nc=3, num_downs=5, ngf=4)
    net = build_generator(config)
    assert net(torch.zeros(1, 1, 32, 32)).shape == (1, 3, 32, 32)
    # Every decoder level but the innermost reads its own output plus the matching skip.
    encoder_out = [4, 8, 16, 32, 32]
    for level in range(4):
        conv = list(net.ups[level].children())[1]
        assert conv.in_channels == 2 * encoder_out[level]


def test_generator_refuses_sizes_it_cannot_halve_enough() -> None:
    net = build_generator(GeneratorConfig(num_downs=8, ngf=4))
    with pytest.raises(ValueError, match="multiples of 256"):
        net(torch.zeros(1, 3, 128, 128))


def test_instance_norm_has_no_running_stats_or_affine() -> None:
    net = build_generator(GeneratorConfig(ngf=4))
    norms = [m for m in net.modules() if isinstance(m, nn.InstanceNorm2d)]
    assert norms
    assert all(not m.affine and not m.track_running_stats for m in norms)
    assert not any(isinstance(m, nn.Dropout) for m in net.modules())


def test_dropout_only_when_asked_and_off_in_eval() -> None:
    net = seeded(build_generator(GeneratorConfig(ngf=4, use_dropout=True)))
    assert any(isinstance(m, nn.Dropout) for m in net.modules())
    net.eval()
    x = torch.rand(1, 3, 256, 256) * 2 - 1
    with torch.inference_mode():
        assert torch.equal(net(x), net(x))


@pytest.mark.parametrize("n_layers", [1, 3, 4])
def test_discriminator_scores_patches(n_layers: int) -> None:
    net = NLayerDiscriminator(input_nc=6, ndf=8, n_layers=n_layers)
    out = net(torch.zeros(2, 6, 256, 256))
    assert out.shape[:2] == (2, 1)
    # n_layers stride-2 convolutions, then two stride-1 4x4 ones that each shave a pixel.
    side = 256 // 2**n_layers - 2
    assert out.shape[2:] == (side, side)


def test_init_weights_is_normal_with_gain_and_reproducible() -> None:
    a = seeded(build_generator(GeneratorConfig(ngf=16)), seed=3)
    b = seeded(build_generator(GeneratorConfig(ngf=16)), seed=3)
    weights = torch.cat([m.weight.flatten() for m in a.modules() if isinstance(m, nn.Conv2d)])
    assert abs(weights.mean().item()) < 1e-3
    assert weights.std().item() == pytest.approx(0.02, rel=0.05)
    assert all(
        torch.equal(x, y)
        for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )
    biases = [m.bias for m in a.modules() if isinstance(m, nn.Conv2d) and m.bias is not None]
    assert all(torch.count_nonzero(bias) == 0 for bias in biases)


def test_config_round_trips_and_rejects_nonsense() -> None:
    config = GeneratorConfig(ngf=32, num_downs=7, use_dropout=True)
    assert GeneratorConfig.from_dict(config.to_dict()) == config
    assert GeneratorConfig.from_dict({}) == GeneratorConfig()
    with pytest.raises(ValueError, match="unknown architecture field"):
        GeneratorConfig.from_dict({"ngf": 8, "layers": 3})
    with pytest.raises(ValueError, match="norm"):
        GeneratorConfig(norm="group")
    with pytest.raises(ValueError, match="ngf"):
        GeneratorConfig(ngf=0)
    with pytest.raises(ValueError, match="ngf"):
        GeneratorConfig.from_dict({"ngf": "64"})


def test_batch_invariant_conv_transpose_matches_the_stock_layer() -> None:
    torch.manual_seed(0)
    stock = nn.ConvTranspose2d(16, 8, 4, 2, 1)
    ours = BatchInvariantConvTranspose2d(16, 8, 4, 2, 1)
    ours.load_state_dict(stock.state_dict())
    x = torch.randn(3, 16, 16, 16, requires_grad=True)
    assert torch.allclose(ours(x), stock(x), atol=1e-5)
    ours(x).sum().backward()  # trains like the stock layer
    assert x.grad is not None


@pytest.fixture(params=[1, 2, 4], ids=lambda n: f"{n}-threads")
def torch_threads(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run under several intra-op thread counts: kernels split work by thread count."""
    before = torch.get_num_threads()
    torch.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(before)


@pytest.mark.parametrize("ngf", [8])
def test_a_sample_is_identical_alone_and_at_any_batch_size_or_position(
    torch_threads: int, ngf: int
) -> None:
    net = seeded(build_generator(GeneratorConfig(ngf=ngf))).eval()
    torch.manual_seed(0)
    x = torch.rand(7, 3, 256, 256) * 2 - 1
    with torch.inference_mode():
        alone = torch.cat([net(x[i : i + 1]) for i in range(7)])
        for size in range(2, 8):
            assert torch.equal(net(x[:size]), alone[:size]), f"batch of {size} differs"
        shuffled = torch.flip(x, dims=[0])
        assert torch.equal(net(shuffled), torch.flip(alone, dims=[0]))
    # The pictures users see are the uint8 ones; those must agree too, trivially so now.
    assert [img.tobytes() for img in batch_to_images(alone)] == [
        img.tobytes() for img in batch_to_images(torch.cat([net(x[:3]), net(x[3:])]))
    ]
