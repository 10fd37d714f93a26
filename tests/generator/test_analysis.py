"""The influence matrix finds a planted dependency and nothing else; attention maps are per layer and normalised."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from compogen.errors import CompogenError
from compogen.generator.analysis import attention_maps, influence_matrix, modules_of, sigma_midpoint
from compogen.generator.dit import DiTDenoiser
from compogen.generator.edm import EDMDenoiser
from compogen.suites import get_suite

SUITE = get_suite("builtin")
TASKS = [SUITE.parse(t) for t in ("fivelink-box-none-push", "threelink-plate-objectwall-shelf")]


def _net(depth: int) -> EDMDenoiser:
    torch.manual_seed(0)
    bb = DiTDenoiser(SUITE.transition_layout(), "compositional", hidden=16, depth=depth, heads=2, tokens="paired")
    for p in bb.parameters():
        torch.nn.init.normal_(p, std=0.3)
    return EDMDenoiser(bb)


def test_sigma_midpoint_is_halfway_through_the_papers_schedule():
    s = sigma_midpoint()
    assert 0.002 < s < 80 and sigma_midpoint(steps=2) == pytest.approx(0.002, rel=1e-4)


def test_influence_finds_a_planted_dependency_and_nothing_else():
    net = _net(depth=0)  # no attention: each decoder sees only its own encoder's tokens
    layout = SUITE.transition_layout()
    names, tokens, _ = modules_of(net)
    _, m = influence_matrix(net, layout, TASKS, n=16)
    off = ~np.eye(len(names), dtype=bool)
    assert (np.diag(m) > 0).all() and np.allclose(m[off], 0.0)
    a, b = names.index("object"), names.index("proprio")

    def plant(_module, args):  # the proprio decoder also reads the object's token
        (h, elements) = args
        h = h.clone()
        h[:, tokens[b]] = h[:, tokens[b]] + h[:, tokens[a]]
        return (h, elements)

    handle = net.backbone.decoder.register_forward_pre_hook(plant)
    try:
        _, planted = influence_matrix(net, layout, TASKS, n=16)
    finally:
        handle.remove()
    assert planted[a, b] > 0.1 * planted[b, b]
    rest = off.copy()
    rest[a, b] = False
    assert np.allclose(planted[rest], 0.0)


def test_attention_maps_per_layer_rows_sum_to_one():
    net = _net(depth=2)
    names, maps = attention_maps(net, SUITE.transition_layout(), TASKS, n=8)
    assert len(maps) == 2 and all(a.shape == (len(names), len(names)) for a in maps)
    for a in maps:
        np.testing.assert_allclose(a.sum(1), 1.0, atol=1e-5)


def test_the_mlp_is_refused():
    from compogen.generator import build_denoiser

    with pytest.raises(CompogenError, match="transformer"):
        influence_matrix(build_denoiser("mlp", SUITE.transition_layout(), "tiny"), SUITE.transition_layout(), TASKS, n=2)


def test_cli_analyze_writes_labelled_csvs_and_pngs(tmp_path, capsys):
    import json

    from compogen.cli import main
    from compogen.data import Transitions
    from compogen.generator import TrainConfig, train_generator
    from compogen.rl import expert_transitions

    pool = Transitions.concatenate([expert_transitions(SUITE, t, 100) for t in TASKS])
    run = train_generator(
        pool, SUITE.transition_layout(), tmp_path / "gen", TrainConfig(arch="sc-dit", preset="tiny", steps=3), suite="builtin", progress=False
    )
    assert main(["analyze", "--model", str(run), "--out", str(tmp_path / "a"), "--n", "4", "--quiet"]) in (0, None)
    files = json.loads(capsys.readouterr().out)[str(run)]
    assert {"influence.csv", "influence.png", "attention_layer0.csv", "attention_layer0.png"} <= {f.rsplit("/", 1)[1] for f in files}
    header = (tmp_path / "a" / "influence.csv").read_text().splitlines()[0].split(",")
    from compogen.generator import Generator

    assert header[1:] == modules_of(Generator.load(run).denoiser)[0]
    mlp = train_generator(
        pool, SUITE.transition_layout(), tmp_path / "mlp", TrainConfig(arch="mlp", preset="tiny", steps=2), suite="builtin", progress=False
    )
    assert main(["analyze", "--model", str(mlp), "--out", str(tmp_path / "b")]) == 2
    assert "transformer" in capsys.readouterr().err
