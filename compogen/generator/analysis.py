"""What a transformer generator learned (the paper's Figures 7-9): intervention influence and attention.

Both probes run the denoiser at ``σ_midpoint``, the noise level halfway through the paper's 128-step
sampling schedule (Karras et al. 2022's formula; the paper's §5), on Gaussian inputs, for each task
given, and average:

- :func:`influence_matrix`: zero each encoder's tokens (all tokens its map makes, e.g. a factor's ``s``
  and ``s'``) and measure how each decoder's output changes: the RMS of the change over the decoder's
  dims (in the normalised data space, so decoders of different sizes compare), averaged over inputs and
  tasks. Rows: encoders, columns: decoders.
- :func:`attention_maps`: every block's self-attention weights ``[K, K]`` (query token, key token),
  averaged over heads, inputs and tasks.

:func:`write_analysis` writes each as a CSV and a labelled PNG heatmap.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from compogen.errors import CompogenError
from compogen.generator.edm import EDMConfig, karras_sigmas
from compogen.tasks.space import Task

__all__ = ["attention_maps", "influence_matrix", "modules_of", "sigma_midpoint", "write_analysis"]


def sigma_midpoint(edm: EDMConfig | None = None, steps: int = 128) -> float:
    """The noise level at step ``steps // 2`` of the ``steps``-step Karras schedule (the paper's 128)."""
    edm = edm or EDMConfig()
    return float(karras_sigmas(steps, edm.sigma_min, edm.sigma_max, edm.rho)[steps // 2])


def _backbone(net: Any):
    bb = getattr(net, "backbone", net)
    if not hasattr(bb, "token_names") or not hasattr(bb, "encoder"):
        raise CompogenError("the analysis needs a transformer generator (dit, semantic-dit or sc-dit), not an MLP")
    return bb


def modules_of(net: Any) -> tuple[list[str], list[list[int]], list[list[int]]]:
    """Encoder/decoder modules of a DiT: names, each module's token positions, and each module's output dims."""
    bb = _backbone(net)
    enc = bb.encoder
    if hasattr(enc, "maps"):
        names = list(enc.maps.keys())
        tokens = [getattr(enc, f"_pos_{k}").tolist() for k in names]
        dims = [sorted(d for i in pos for d in enc.groups[i].dims) for pos in tokens]
        return names, tokens, dims
    # patch DiT: one shared map; each patch is its own module
    n, p = enc.n_tokens, enc.patch
    return list(bb.token_names), [[i] for i in range(n)], [list(range(i * p, min((i + 1) * p, bb.dim))) for i in range(n)]


def _inputs(layout, tasks: Sequence[Task], n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    for task in tasks:
        cond = torch.as_tensor(layout.space.indicator(task)).expand(n, -1)
        yield torch.randn(n, layout.dim, generator=g), cond


def _scaled_inputs(net: Any, layout, tasks: Sequence[Task], n: int, seed: int, sigma: float):
    """Gaussian stand-ins for noisy data at ``sigma``: ``N(0, σ_data² + σ²)`` (unit-variance data plus noise)."""
    scale = float(np.sqrt(net.config.sigma_data**2 + sigma**2))
    for x, cond in _inputs(layout, tasks, n, seed):
        yield x * scale, torch.full((n,), float(sigma)), cond


@torch.no_grad()
def influence_matrix(
    net: Any, layout, tasks: Sequence[Task], n: int = 100, seed: int = 0, sigma: float | None = None
) -> tuple[list[str], np.ndarray]:
    """``(module names, M)`` with ``M[i, j]`` the mean RMS change of decoder ``j``'s output ``D(x)`` when encoder
    ``i``'s tokens are zeroed (``net``: an :class:`~compogen.generator.edm.EDMDenoiser` around a DiT)."""
    bb = _backbone(net)
    names, tokens, dims = modules_of(net)
    sigma = sigma_midpoint(net.config) if sigma is None else sigma
    masked: list[int] = []

    def hook(_module, _inp, out):
        if masked:
            out = out.clone()
            out[:, masked] = 0.0
        return out

    handle = bb.encoder.register_forward_hook(hook)
    try:
        total, count = np.zeros((len(names), len(names))), 0
        for x, s, cond in _scaled_inputs(net, layout, tasks, n, seed, sigma):
            masked.clear()
            nominal = net(x, s, cond)
            for i, pos in enumerate(tokens):
                masked[:] = pos
                diff = net(x, s, cond) - nominal
                for j, d in enumerate(dims):
                    total[i, j] += float(diff[:, d].pow(2).mean(1).sqrt().mean())
            masked.clear()
            count += 1
    finally:
        handle.remove()
    return names, total / max(count, 1)


@torch.no_grad()
def attention_maps(
    net: Any, layout, tasks: Sequence[Task], n: int = 100, seed: int = 0, sigma: float | None = None
) -> tuple[list[str], list[np.ndarray]]:
    """``(token names, [A_layer])``: each block's attention ``[K, K]`` (rows: query tokens), averaged over heads,
    inputs and tasks (``net``: an :class:`~compogen.generator.edm.EDMDenoiser` around a DiT)."""
    bb = _backbone(net)
    sigma = sigma_midpoint(net.config) if sigma is None else sigma
    sums: list[np.ndarray] = []
    count = 0
    for x, s, cond in _scaled_inputs(net, layout, tasks, n, seed, sigma):
        _, inter = net(x, s, cond, return_intermediates=True)
        maps = [w.mean(dim=(0, 1)).numpy() for w in inter["attention"]]
        sums = maps if not sums else [a + b for a, b in zip(sums, maps, strict=True)]
        count += 1
    return list(bb.token_names), [a / count for a in sums]


def _heatmap(matrix: np.ndarray, rows: list[str], cols: list[str], title: str, xlabel: str, ylabel: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(cols), 1.0 + 0.6 * len(rows)))
    im = ax.imshow(matrix, cmap="viridis")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=7, color="w" if matrix[i, j] < matrix.max() / 2 else "k")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _csv(matrix: np.ndarray, rows: list[str], cols: list[str], path: Path) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["", *cols])
        for name, row in zip(rows, matrix, strict=True):
            w.writerow([name, *(f"{v:.6f}" for v in row)])


def write_analysis(
    model_dir: str | os.PathLike, out_dir: str | os.PathLike, tasks: Sequence[Task | str] | None = None, n: int = 100, seed: int = 0
) -> list[Path]:
    """Influence matrix and per-layer attention maps of a trained DiT generator as CSVs and PNGs in ``out_dir``
    (default tasks: the generator's training tasks). Returns the files written."""
    from compogen.generator.generate import Generator

    gen = Generator.load(model_dir)
    space = gen.layout.space
    tasks = [space.parse(t) for t in (tasks or gen.info()["train_tasks"])]
    if not tasks:
        raise CompogenError(f"{model_dir}: no tasks to analyse (the checkpoint records no training tasks; give some)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sigma = sigma_midpoint(gen.edm)
    names, m = influence_matrix(gen.denoiser, gen.layout, tasks, n, seed, sigma)
    label = f"{gen.info()['arch']}, {len(tasks)} tasks, σ_mid = {sigma:.3f}"
    files = [out / "influence.csv", out / "influence.png"]
    _csv(m, names, names, files[0])
    _heatmap(m, names, names, f"Intervention influence ({label})", "decoder (output changed)", "encoder (tokens zeroed)", files[1])
    tokens, maps = attention_maps(gen.denoiser, gen.layout, tasks, n, seed, sigma)
    for i, a in enumerate(maps):
        base = out / f"attention_layer{i}"
        _csv(a, tokens, tokens, base.with_suffix(".csv"))
        _heatmap(a, tokens, tokens, f"Attention, layer {i} ({label})", "key token (attended to)", "query token", base.with_suffix(".png"))
        files += [base.with_suffix(".csv"), base.with_suffix(".png")]
    return files
