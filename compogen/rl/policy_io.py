"""Best-policy weights on disk (safetensors; loading executes no code)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from compogen.data.normalizer import Normalizer
from compogen.errors import CheckpointError
from compogen.io import atomic_path
from compogen.rl.networks import mlp_forward

__all__ = ["save_policy", "load_policy", "policy_path", "policy_tensors"]


def policy_path(out_dir: str | os.PathLike, task_id: str, seed: int) -> Path:
    """``<out_dir>/<task_id>/seed<seed>.safetensors``."""
    return Path(out_dir) / task_id / f"seed{int(seed)}.safetensors"


def policy_tensors(layers: Sequence[tuple[torch.Tensor, torch.Tensor]], obs_norm: Normalizer) -> dict[str, torch.Tensor]:
    """A deterministic actor in the file's layout: ``actor.{i}.weight|bias`` (``nn.Linear``'s ``[out, in]``
    weights; ReLU between layers, tanh after the last) and the observation normalisation ``obs_mean``, ``obs_std``."""
    out: dict[str, torch.Tensor] = {}
    for i, (w, b) in enumerate(layers):
        out[f"actor.{i}.weight"] = w.detach().cpu().contiguous().clone()
        out[f"actor.{i}.bias"] = b.detach().cpu().contiguous().clone()
    out["obs_mean"] = torch.as_tensor(obs_norm.mean, dtype=torch.float32).clone()
    out["obs_std"] = torch.as_tensor(obs_norm.std, dtype=torch.float32).clone()
    return out


def save_policy(path: str | os.PathLike, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """Write an actor (:func:`policy_tensors`) atomically."""
    from safetensors.torch import save_file

    path = Path(path)
    with atomic_path(path, suffix=".safetensors") as tmp:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp), metadata={"compogen": json.dumps(meta)})
    return path


def load_policy(path: str | os.PathLike) -> tuple[Callable[[np.ndarray], np.ndarray], dict[str, Any]]:
    """``(policy, meta)``: ``policy`` maps raw observations ``[n, obs_dim]`` to actions ``[n, A]``."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            meta = json.loads((f.metadata() or {}).get("compogen", "{}"))
            t = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 -- a safetensors handle is not iterable
    except (OSError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path}: not a policy file ({e})") from None
    n = sum(1 for k in t if k.startswith("actor.") and k.endswith(".weight"))
    if n == 0 or "obs_mean" not in t or "obs_std" not in t:
        raise CheckpointError(f"{path}: missing actor layers or normalization")
    layers = [partial(torch.nn.functional.linear, weight=t[f"actor.{i}.weight"].float(), bias=t[f"actor.{i}.bias"].float()) for i in range(n)]
    norm = Normalizer(t["obs_mean"].float().numpy(), t["obs_std"].float().numpy())

    @torch.no_grad()
    def policy(obs: np.ndarray) -> np.ndarray:
        x = norm.normalize(torch.as_tensor(np.asarray(obs, np.float32)))
        return torch.tanh(mlp_forward(x, layers)).numpy()

    return policy, meta
