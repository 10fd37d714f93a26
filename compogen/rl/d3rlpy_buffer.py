"""The d3rlpy ``ReplayBuffer`` that :func:`compogen.rl.to_d3rlpy` returns (imports d3rlpy: load it lazily)."""

from __future__ import annotations

from typing import BinaryIO

from d3rlpy.dataset import ReplayBuffer

from compogen.errors import DataError

__all__ = ["StoredNextReplayBuffer"]


class StoredNextReplayBuffer(ReplayBuffer):
    """A ``ReplayBuffer`` whose next states live in its transition picker. d3rlpy's ``dump`` writes only
    episodes (observations, actions, rewards) and ``ReplayBuffer.load`` would rebuild next states as
    ``observations[t + 1]``, so ``dump`` is refused (as d3rlpy refuses it for ``MixedReplayBuffer``);
    ``pickle`` keeps the picker and is exact."""

    def dump(self, f: BinaryIO) -> None:
        raise DataError(
            "to_d3rlpy's buffer keeps each row's exact next state in its transition picker, which d3rlpy's dump/load drops "
            "(a reloaded buffer would use observations[t + 1]); keep the source dataset and call to_d3rlpy again, or pickle the buffer"
        )
