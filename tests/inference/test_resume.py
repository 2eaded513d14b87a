"""The resume state every trainer shares (inference/lab/pix2pix/training/resume.py)."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file

from inference.lab.pix2pix.training.resume import (
    RESUME_STATE,
    RESUME_WEIGHTS,
    load_state,
    save_state,
)

ROOT = Path(__file__).resolve().parents[2]
KIDS3_STATE = ROOT / "docs" / "generators" / "kids3-training" / "state"


def _stepped(net: torch.nn.Linear) -> torch.optim.Adam:
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.ones(2, net.in_features)).sum().backward()
    opt.step()
    return opt


def test_the_committed_kids3_state_still_loads(capsys) -> None:
    from inference.lab.palette.training import PaletteTrainConfig
    from inference.serving.palette.network import build_palette_net

    cfg = PaletteTrainConfig.load(KIDS3_STATE / "config.json")
    net = build_palette_net(cfg.net_config())
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))

    state = load_state(KIDS3_STATE, nets={"G": net}, optimisers={"opt_G": opt})

    assert (state["epoch"], state["batch"], state["step"]) == (9, 0, 2742)
    carried = load_file(KIDS3_STATE / RESUME_WEIGHTS)
    for key, value in net.state_dict().items():
        assert value.dtype == torch.float32
        assert torch.equal(value, carried[f"G.{key}"].float())
    assert not opt.state  # carried without Adam's moments: they start afresh
    printed = capsys.readouterr().out
    assert "Adam starts afresh" in printed and "resumed from epoch 9 batch 0 step 2742" in printed


def test_one_trainer_or_two_nets_keep_their_files_and_come_back_exactly(tmp_path: Path) -> None:
    torch.manual_seed(0)
    painter = torch.nn.Linear(3, 2)
    painter_opt = _stepped(painter)
    save_state(tmp_path, nets={"G": painter}, optimisers={"opt_G": painter_opt}, state={
        "epoch": 1, "batch": 2, "step": 3,
    })  # fmt: skip
    # The palette painter's layout: one optimiser's param groups as a list.
    assert isinstance(json.loads((tmp_path / RESUME_STATE).read_text())["param_groups"], list)
    assert sorted(load_file(tmp_path / RESUME_WEIGHTS)) == [
        "G.bias", "G.weight", "opt_G.0.exp_avg", "opt_G.0.exp_avg_sq", "opt_G.0.step",
        "opt_G.1.exp_avg", "opt_G.1.exp_avg_sq", "opt_G.1.step",
    ]  # fmt: skip
    again = torch.nn.Linear(3, 2)
    again_opt = torch.optim.Adam(again.parameters(), lr=1.0)
    state = load_state(tmp_path, nets={"G": again}, optimisers={"opt_G": again_opt})
    assert (state["epoch"], state["batch"], state["step"]) == (1, 2, 3)
    assert torch.equal(again.weight, painter.weight)
    assert again_opt.param_groups[0]["lr"] == 1e-3
    moments = again_opt.state[again.weight]["exp_avg"]
    assert torch.equal(moments, painter_opt.state[painter.weight]["exp_avg"])

    # pix2pix's layout: a generator and a discriminator, their param groups by optimiser.
    pix = tmp_path / "pix2pix"
    pix.mkdir()
    g, d = torch.nn.Linear(3, 2), torch.nn.Linear(2, 1)
    nets, optimisers = {"G": g, "D": d}, {"opt_G": _stepped(g), "opt_D": _stepped(d)}
    save_state(pix, nets=nets, optimisers=optimisers, state={"epoch": 0, "batch": 1, "step": 1})
    groups = json.loads((pix / RESUME_STATE).read_text())["param_groups"]
    assert sorted(groups) == ["opt_D", "opt_G"]
    g2, d2 = torch.nn.Linear(3, 2), torch.nn.Linear(2, 1)
    opt_g2, opt_d2 = torch.optim.Adam(g2.parameters()), torch.optim.Adam(d2.parameters())
    load_state(pix, nets={"G": g2, "D": d2}, optimisers={"opt_G": opt_g2, "opt_D": opt_d2})
    assert torch.equal(d2.weight, d.weight) and torch.equal(g2.bias, g.bias)
    moments = opt_d2.state[d2.weight]["exp_avg_sq"]
    assert torch.equal(moments, optimisers["opt_D"].state[d.weight]["exp_avg_sq"])
