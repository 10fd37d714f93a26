"""Every seed compogen derives, derived here.

A run has one root seed (``--seed``, an RL seed, the loop's ``seed``). Whatever is
random in it draws from a seed derived from the root and a path of keys naming
what it is for::

    derive(seed, "evaluation", round_)       # first episode seed of an evaluation round
    derive(loop_seed, "generate", k, task)   # the loop's sampling seed of a task in round k

The root and the keys (integers >= 0, or strings) are hashed with NumPy's
:class:`~numpy.random.SeedSequence`, so different paths give independent streams
and the same path gives the same seed on every machine. :func:`numpy_rng` and
:func:`torch_generator` make generators from the same derivation
(``numpy_rng(seed, i)`` is ``np.random.default_rng([seed, i])``).

A library call that has to seed a global generator (torch's, for modules initialised
by ``torch.nn``; d3rlpy's ``seed``) does so inside :func:`isolated_global_rng`, which
gives the caller its global random state back unchanged.

>>> derive(0, "evaluation", 1) == derive(0, "evaluation", 1) != derive(0, "evaluation", 2)
True
>>> 0 <= derive(2**32 - 1, "a") < 2**31
True
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

__all__ = ["Key", "derive", "isolated_global_rng", "numpy_rng", "sequence", "torch_generator"]

Key = int | str


def _word(key: Key) -> int:
    if isinstance(key, str):
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
    if isinstance(key, (int, np.integer)) and key >= 0:
        return int(key)
    raise ValueError(f"seeds and seed keys are integers >= 0 or strings, got {key!r}")


def sequence(seed: int, *keys: Key) -> np.random.SeedSequence:
    """The :class:`~numpy.random.SeedSequence` of ``(seed, *keys)``."""
    return np.random.SeedSequence([_word(seed), *(_word(k) for k in keys)])


def derive(seed: int, *keys: Key) -> int:
    """An integer seed in ``[0, 2**31)`` for the stream ``keys`` of root ``seed`` (room to add an
    episode index and stay below ``2**32``, what every simulator's ``reset(seed=...)`` takes)."""
    return int(sequence(seed, *keys).generate_state(1, np.uint32)[0] >> 1)


def numpy_rng(seed: int, *keys: Key) -> np.random.Generator:
    """A NumPy generator of the stream ``keys`` of root ``seed``."""
    return np.random.default_rng(sequence(seed, *keys))


def torch_generator(seed: int, *keys: Key, device="cpu"):
    """A ``torch.Generator`` on ``device`` seeded with :func:`derive` ``(seed, *keys)``."""
    import torch

    return torch.Generator(device=device).manual_seed(derive(seed, *keys))


@contextmanager
def isolated_global_rng(devices: Sequence | None = None) -> Iterator[None]:
    """Run the body with the global generators of torch (CPU and CUDA ``devices``, default: every
    visible GPU, as :func:`torch.random.fork_rng`), NumPy and Python's :mod:`random` as they are,
    and restore them after it, whatever it seeded or drew."""
    import torch

    np_state, py_state = np.random.get_state(), random.getstate()
    with torch.random.fork_rng(devices=devices):
        try:
            yield
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)
