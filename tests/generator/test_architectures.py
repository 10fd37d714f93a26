"""Denoiser shapes, paper parameter counts, intermediates, per-element isolation of sc-dit."""

from __future__ import annotations

import pytest
import torch

from compogen.generator.architectures import ARCHITECTURES, PAPER_PARAMS, build_denoiser, count_parameters
from compogen.generator.optim import AbsentElementGuard, make_adamw
from compogen.generator.tokenizers import ElementLinear
from compogen.tasks.space import AXES

from .conftest import TASK_A, TASK_B


@pytest.mark.parametrize("arch", sorted(PAPER_PARAMS))
def test_paper_parameter_counts_within_5_percent(layout, arch):
    n = count_parameters(build_denoiser(arch, layout, "paper"))
    assert abs(n - PAPER_PARAMS[arch]) / PAPER_PARAMS[arch] < 0.05, n


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_forward_shapes_and_intermediates(layout, arch):
    torch.manual_seed(0)
    net = build_denoiser(arch, layout, "tiny")
    x = torch.randn(5, layout.dim)
    cond = torch.as_tensor(layout.space.indicators([TASK_A, TASK_B, TASK_A, TASK_B, TASK_A]))
    out, inter = net(x, torch.rand(5) + 0.1, cond, return_intermediates=True)
    assert out.shape == x.shape and torch.isfinite(out).all()
    if arch != "mlp":
        k = len(layout.tokens)
        assert inter["tokens"].shape == (5, k, net.backbone.hidden)
        att = inter["attention"][0]
        assert att.shape == (5, net.backbone.heads, k, k)
        torch.testing.assert_close(att.sum(-1), torch.ones(5, net.backbone.heads, k))
        # the weights-returning path equals the fused attention path
        torch.testing.assert_close(net(x, torch.rand(5) * 0 + 0.5, cond), net(x, torch.full((5,), 0.5), cond, return_intermediates=True)[0])


def test_standard_dit_patches(layout):
    bb = build_denoiser("dit", layout, "tiny").backbone
    assert bb.n_tokens == len(layout.tokens) == 11
    assert bb.encoder.patch == 15 and bb.encoder.patch * bb.n_tokens >= layout.dim


def test_semantic_dit_shares_one_map_per_factor_type(layout):
    bb = build_denoiser("semantic-dit", layout, "tiny").backbone
    factors = {t.factor for t in layout.tokens}
    assert set(bb.encoder.maps) == factors and set(bb.decoder.maps) == factors
    assert not any(isinstance(m, ElementLinear) for m in bb.encoder.maps.values())


def test_element_linear_routes_rows():
    torch.manual_seed(0)
    el = ElementLinear(3, 4, 2)
    x = torch.randn(9, 4)
    e = torch.tensor([2, 0, 1, 1, 2, 0, 0, 2, 1])
    ref = torch.stack([el.weight[int(j)] @ x[i] + el.bias[int(j)] for i, j in enumerate(e)])
    torch.testing.assert_close(el(x, e), ref)
    # several tokens sharing the map: the same per-row routing
    x3 = torch.randn(9, 2, 4)
    torch.testing.assert_close(el(x3, e), torch.stack([el(x3[:, t], e) for t in range(2)], dim=1))


def _batch(layout, tasks, n=16):
    cond = torch.as_tensor(layout.space.indicators([tasks[i % len(tasks)] for i in range(n)]))
    return torch.randn(n, layout.dim), cond


def _element_params(bb, layout, task):
    """``name -> (parameter, row)`` of the task's own elements and of all other elements."""
    idx = layout.space.element_indices(task)
    mine, others = {}, {}
    for axis, own in zip(AXES, idx, strict=True):
        for j in range(len(layout.space.axis_elements(axis))):
            (mine if j == own else others).update({f"{n}[{j}]": v for n, v in bb.element_slices(axis, j).items()})
    return mine, others


def test_sc_dit_one_task_updates_only_its_elements(layout):
    """Training steps on task A's data leave every other element's encoder/decoder rows untouched
    (weights and AdamW moments), though B's rows had momentum and weight decay from an earlier step."""
    torch.manual_seed(0)
    net = build_denoiser("sc-dit", layout, "tiny")
    bb = net.backbone
    opt = make_adamw(net.parameters(), lr=1e-2, weight_decay=0.01)
    guard = AbsentElementGuard(net, opt, bb.element_indices)
    xb, cond_b = _batch(layout, [TASK_B])
    net.loss(xb, cond_b, torch.Generator().manual_seed(0)).backward()
    guard.step(cond_b)  # B's rows now carry Adam moments that a plain AdamW step would keep applying
    x, cond = _batch(layout, [TASK_A])
    for _ in range(2):  # two steps so that adaLN-Zero/decoders are no longer zero and every path carries gradient
        opt.zero_grad(set_to_none=True)
        net.loss(x, cond, torch.Generator().manual_seed(0)).backward()
        before = {id(p): p.detach().clone() for p in net.parameters()}
        guard.step(cond)
    mine, others = _element_params(bb, layout, TASK_A)
    assert len(others) == 3 * len(mine) > 0
    for n, (p, j) in others.items():
        assert not p.grad[j].any(), n
        assert torch.equal(p[j], before[id(p)][j]), n
    changed = [n for n, (p, j) in mine.items() if not torch.equal(p[j], before[id(p)][j])]
    assert len(changed) == len(mine)  # task A's own pairs did learn


def test_sc_dit_mixed_batch_gathers_per_element(layout):
    """In a batch of tasks A and B, A's encoder/decoder gradients come from A's rows only."""
    torch.manual_seed(0)
    net = build_denoiser("sc-dit", layout, "tiny")
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.1)
    bb = net.backbone
    x, cond = _batch(layout, [TASK_A, TASK_B], n=12)
    sigma = torch.full((12,), 0.7)
    is_a = (cond == torch.as_tensor(layout.space.indicator(TASK_A))).all(1)

    def grads(rows):
        net.zero_grad(set_to_none=True)
        (net(x, sigma, cond)[rows] ** 2).sum().backward()
        return {id(p): (None if p.grad is None else p.grad.clone()) for p in net.parameters()}

    g_all, g_a = grads(slice(None)), grads(is_a)
    mine_a, _ = _element_params(bb, layout, TASK_A)
    mine_b, others = _element_params(bb, layout, TASK_B)
    for p, j in mine_a.values():
        torch.testing.assert_close(g_all[id(p)][j], g_a[id(p)][j], atol=1e-6, rtol=1e-5)
    neither = set(others) - set(mine_a)
    assert neither and all(not g_all[id(others[n][0])][others[n][1]].any() for n in neither)
    assert all(g_all[id(p)][j].abs().sum() > 0 for p, j in mine_b.values())


def test_each_architecture_carries_its_builder_and_optimiser_settings(layout):
    from compogen.generator.architectures import Architecture
    from compogen.generator.presets import get_preset

    p = get_preset("laptop", lr_mlp=1e-3, lr_dit=2e-4, wd_mlp=0.0, wd_dit=0.05, dit_task_cond=False)
    for name, a in ARCHITECTURES.items():
        assert isinstance(a, Architecture) and a.name == name
        mlp = a.family == "mlp"
        assert (a.lr(p), a.weight_decay(p)) == ((1e-3, 0.0) if mlp else (2e-4, 0.05)) == (p.lr(name), p.weight_decay(name))
        assert (a.tokenizer is None) == mlp
        bb = a.build(layout, p)
        assert type(bb) is type(build_denoiser(name, layout, p).backbone)
        if not mlp:  # only the compositional DiT may drop the adaLN task conditioning: the others have no other way
            assert bb.tokenizer == a.tokenizer and (bb.task_emb is None) == (a.tokenizer == "compositional") == bb.per_element
