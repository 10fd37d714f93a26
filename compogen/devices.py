"""Torch devices: checked once, where a setting names one (CLI options, run settings)."""

from __future__ import annotations

from compogen.errors import CompogenError

__all__ = ["check_device"]


def check_device(device: str, name: str = "--device") -> str:
    """A torch device that exists on this machine (``cuda:7`` without that GPU is refused); ``name``
    names the setting in the one-line error."""
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError) as e:
        raise CompogenError(f"{name} {device!r}: {e}") from None
    if dev.type == "cuda":
        n = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if n == 0:
            raise CompogenError(f"{name} {device}: CUDA is not available on this machine")
        if dev.index is not None and dev.index >= n:
            raise CompogenError(f"{name} {device}: this machine has {n} CUDA device(s)")
    elif dev.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise CompogenError(f"{name} {device}: MPS is not available on this machine")
    elif dev.type not in ("cpu", "cuda", "mps"):
        raise CompogenError(f"{name} {device}: expected cpu, cuda[:N] or mps")
    return device
