"""The batched DiTs equal the looped ones of commit a0f8214 (same weights: same outputs and gradients)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from compogen.generator.dit import DiTDenoiser, upgrade_state_dict
from compogen.generator.tokenizers import token_groups

from . import reference_dit as ref


def _mixed_batch(layout, n=24, seed=0):
    rng = np.random.default_rng(seed)
    sp = layout.space
    tasks = [tuple(sp.elements[a][int(rng.integers(len(sp.elements[a])))] for a in range(4)) for _ in range(n)]
    cond = torch.as_tensor(sp.indicators(tasks))
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, layout.dim, generator=g), torch.rand(n, generator=g) - 0.5, cond


def _grads(net):
    return {k: (torch.zeros_like(p) if p.grad is None else p.grad) for k, p in net.named_parameters()}


@pytest.mark.parametrize("tokenizer", ["compositional", "semantic", "patch"])
@pytest.mark.parametrize("suite", ["composuite", "builtin"])
def test_batched_dit_equals_reference(tokenizer, suite):
    from compogen.suites import get_suite

    layout = get_suite(suite).transition_layout()
    torch.manual_seed(0)
    old = ref.DiTDenoiser(layout, tokenizer, hidden=32, depth=2, heads=4)
    for p in old.parameters():  # adaLN-Zero starts at zero: give every path a non-zero weight
        torch.nn.init.normal_(p, std=0.2)
    new = DiTDenoiser(layout, tokenizer, hidden=32, depth=2, heads=4)
    new.load_state_dict(upgrade_state_dict(old.state_dict()))
    x, c_noise, cond = _mixed_batch(layout)
    w = torch.randn(x.shape[0], layout.dim)
    outs = []
    for net in (old, new):
        out = net(x, c_noise, cond)
        (out * w).sum().backward()
        outs.append(out)
    torch.testing.assert_close(outs[1], outs[0], rtol=1e-5, atol=1e-5)
    g_old, g_new = upgrade_state_dict(_grads(old)), _grads(new)
    assert set(g_old) == set(g_new)
    for k in g_new:
        # float32 sums in another order: tolerance relative to the tensor's largest gradient
        scale = float(g_old[k].abs().max()) + 1e-6
        torch.testing.assert_close(g_new[k], g_old[k], rtol=1e-4, atol=3e-5 * scale, msg=lambda m, k=k: f"{k}: {m}")


def test_no_old_keys_is_identity(layout):
    sd = DiTDenoiser(layout, "compositional", hidden=16, depth=1, heads=2).state_dict()
    assert upgrade_state_dict(sd) is sd


def test_paired_tokens_cover_every_dim_once(layout):
    groups = token_groups(layout, "paired")
    assert len(groups) == 5
    dims = sorted(d for g in groups for d in g.dims)
    assert dims == list(range(layout.dim))
    obj = next(g for g in groups if g.name == "object")
    s_obj, sp_obj = (next(t for t in layout.tokens if t.name == n) for n in ("s.object", "s'.object"))
    assert obj.dims == tuple(range(s_obj.start, s_obj.stop)) + tuple(range(sp_obj.start, sp_obj.stop))


def test_paired_sc_dit_routes_each_row_to_its_elements(layout):
    """With paired tokens, a row's output does not change when other rows change task."""
    torch.manual_seed(0)
    net = DiTDenoiser(layout, "compositional", hidden=32, depth=1, heads=2, tokens="paired")
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.2)
    x, c_noise, cond = _mixed_batch(layout)
    out = net(x, c_noise, cond)
    _, _, other = _mixed_batch(layout, seed=1)
    cond2 = torch.cat([cond[:1], other[1:]])
    torch.testing.assert_close(net(x, c_noise, cond2)[0], out[0])
    assert not torch.allclose(net(x, c_noise, cond2)[1:], out[1:])


def test_zero_decoder_starts_at_the_skip_path(layout):
    from compogen.generator.edm import EDMDenoiser

    net = EDMDenoiser(DiTDenoiser(layout, "compositional", hidden=16, depth=1, heads=2, zero_decoder=True))
    x, _, cond = _mixed_batch(layout, n=4)
    sigma = torch.full((4,), 0.5)
    torch.testing.assert_close(net(x, sigma, cond), x / (1 + 0.5**2))


def test_without_task_conditioning_the_blocks_see_only_the_noise_level():
    """``task_cond=False``: the adaLN conditioning is the same for every task; the task still reaches the
    output through the per-element maps (two tasks with no element in common give different outputs)."""
    from compogen.suites import get_suite

    layout = get_suite("builtin").transition_layout()
    torch.manual_seed(0)
    net = DiTDenoiser(layout, "compositional", hidden=32, depth=2, heads=4, tokens="paired", task_cond=False)
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.2)
    sp = layout.space
    cond = torch.as_tensor(sp.indicators([tuple(e[0] for e in sp.elements), tuple(e[1] for e in sp.elements)]))
    x, c_noise = torch.randn(1, layout.dim).expand(2, -1), torch.zeros(2)
    out, inter = net(x, c_noise, cond, return_intermediates=True)
    torch.testing.assert_close(inter["conditioning"][0], inter["conditioning"][1])
    assert not torch.allclose(out[0], out[1])
    with_task = DiTDenoiser(layout, "compositional", hidden=32, depth=2, heads=4, tokens="paired")
    assert sum(p.numel() for p in with_task.parameters()) - sum(p.numel() for p in net.parameters()) == (layout.cond_dim + 1) * 32
    with pytest.raises(ValueError, match="only the compositional DiT"):
        DiTDenoiser(layout, "semantic", hidden=32, depth=2, heads=4, task_cond=False)
