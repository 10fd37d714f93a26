"""A run is one directory; every file in it is written atomically.

::

    RUN/config.json                          the LoopConfig
    RUN/state.json                           state before the next round (solved set, τ, patience, pool, history)
    RUN/iterations/003/generator/            generator checkpoint of round 3
    RUN/iterations/003/generator.json        written when training finished (the stage's marker)
    RUN/iterations/003/synthetic/<task>.h5   synthetic data per target task
    RUN/iterations/003/validation/<task>.json validation result per target task (the job's marker)
    RUN/iterations/003/policies/<task>/seed<k>.safetensors   the best actor validation trained per RL seed
    RUN/metrics.csv, RUN/summary.csv, RUN/progress.png   updated every round
    RUN/iterations/003/generator-g1/ ...      with LoopConfig.generators > 1: candidate g's checkpoint, marker,
    RUN/iterations/003/synthetic-g1/ ...      synthetic data, validation and actors (candidate 0 uses the plain names)
    RUN/timings.json                         wall time per stage (not part of the results)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compogen.errors import CompogenError
from compogen.io import RunIdentity, atomic_write_json

__all__ = ["RunDir"]


class RunDir:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    # -- paths ----------------------------------------------------------------
    @property
    def config_file(self) -> Path:
        return self.path / "config.json"

    @property
    def state_file(self) -> Path:
        return self.path / "state.json"

    def iteration(self, k: int) -> Path:
        return self.path / "iterations" / f"{k:03d}"

    @staticmethod
    def _candidate(name: str, g: int) -> str:
        """Candidate ``g``'s name for ``name``: the plain name for candidate 0 (every run with one generator)."""
        return name if g == 0 else f"{name}-g{g}"

    def generator(self, k: int, g: int = 0) -> Path:
        return self.iteration(k) / self._candidate("generator", g)

    def generator_marker(self, k: int, g: int = 0) -> Path:
        return self.iteration(k) / f"{self._candidate('generator', g)}.json"

    def synthetic(self, k: int, task_id: str, g: int = 0) -> Path:
        return self.iteration(k) / self._candidate("synthetic", g) / f"{task_id}.h5"

    def validation(self, k: int, task_id: str, g: int = 0) -> Path:
        return self.iteration(k) / self._candidate("validation", g) / f"{task_id}.json"

    def policies(self, k: int, g: int = 0) -> Path:
        """Where round ``k``'s validation of candidate ``g`` keeps its actors (``<task>/seed<k>.safetensors``)."""
        return self.iteration(k) / self._candidate("policies", g)

    # -- json -------------------------------------------------------------------
    @staticmethod
    def read_json(path: Path) -> Any:
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except ValueError as e:
            raise CompogenError(f"{path}: corrupt JSON ({e})") from None

    write_json = staticmethod(atomic_write_json)

    def identity(self, config: dict[str, Any], defaults: dict[str, Any] | None = None) -> RunIdentity:
        """The run's settings (``config.json``): every field must match to resume (a field the saved
        settings lack matches when it holds its value in ``defaults``: a run made before it existed)."""
        return RunIdentity(self.path, config, file=self.config_file.name, what="a run", hint="use a new --out directory", defaults=defaults)

    def check(self, config: dict[str, Any], defaults: dict[str, Any] | None = None) -> None:
        """Refuse (writing nothing) a path that is not a directory or holds a run with other settings."""
        if self.path.exists() and not self.path.is_dir():
            raise CompogenError(f"--out {self.path} is a file, expected a run directory")
        self.identity(config, defaults).check()

    def init(self, config: dict[str, Any], defaults: dict[str, Any] | None = None) -> None:
        """Create the run or check that an existing run was made with the same settings."""
        self.check(config, defaults)
        if not self.config_file.is_file():
            self.identity(config).write()

    def timings(self) -> dict[str, Any]:
        return self.read_json(self.path / "timings.json") or {}

    def add_timing(self, key: str, seconds: float) -> None:
        t = self.timings()
        t[key] = round(float(seconds), 3)
        self.write_json(self.path / "timings.json", t)
