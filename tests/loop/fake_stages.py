"""Cheap deterministic stand-ins for train / generate / validate, to test the loop machinery.

Success depends on the generated data (so seeds matter), the task and the round.
``config.extra``: ``fail`` (task ids that always raise), ``flaky`` (task ids that
raise on their first attempt only), ``sleep`` (seconds per stage call), ``reward_shift``
(task id -> a constant added to that task's generated rewards: its mean reward, and with it its success).
"""

from __future__ import annotations

import json
import time
import zlib
from pathlib import Path

import numpy as np

from compogen.data import SyntheticWriter


class FakeStages:
    def __init__(self, config, suite):
        self.config, self.suite = config, suite
        self.extra = dict(config.extra)

    def _nap(self):
        time.sleep(float(self.extra.get("sleep", 0)))

    def train(self, pool, out_dir: Path, seed: int, init_from: Path | None = None) -> dict:
        self._nap()
        out_dir.mkdir(parents=True, exist_ok=True)
        record = {"seed": seed, "rows": len(pool), "tasks": len(pool.tasks), "init_from": None if init_from is None else str(init_from)}
        (out_dir / "model.json").write_text(json.dumps(record))
        return {"rows": len(pool)}

    def generate(self, model_dir: Path, task, n: int, out_file: Path, seed: int) -> None:
        self._nap()
        model = json.loads((model_dir / "model.json").read_text())
        rng = np.random.default_rng(seed + model["tasks"])
        lay = self.suite.transition_layout()
        flat = rng.normal(size=(n, lay.dim)).astype(np.float32)
        flat[:, lay.r] = rng.uniform(-0.5, 0.5, size=(n, 1)) + self.extra.get("reward_shift", {}).get(self.suite.task_id(task), 0.0)
        flat[:, lay.a] = np.clip(flat[:, lay.a], -1.0, 1.0)  # as the real stage's samples: actions in the action space
        with SyntheticWriter(out_file, lay.obs_dim, lay.action_dim, {"seed": seed}) as w:
            w.append(**lay.unpack(flat, task))

    def validate(self, task, data, seeds, iteration, policy_dir=None) -> dict:
        self._nap()
        tid = self.suite.task_id(task)
        if tid in self.extra.get("fail", []):
            raise RuntimeError(f"{tid} always fails")
        if tid in self.extra.get("flaky", []):
            marker = Path(self.extra["flaky_dir"]) / f"{tid}.{iteration}.tried"
            if not marker.exists():
                marker.write_text("1")
                raise RuntimeError(f"{tid} fails once")
        u = zlib.crc32(tid.encode()) / 2**32
        sr = float(np.clip(0.6 * u + 0.15 * iteration + float(data.rewards.mean()) * 4, 0, 1))
        return {"success": round(sr, 4), "env_steps": 100 * len(seeds), "per_seed": [round(sr, 4)] * len(seeds)}


def fake_loop_config(real_data: Path, **kw):
    """A ``LoopConfig`` of the stand-in runs: CompoSuite's IIWA split on ``real_data``, 8 targets, no workers;
    ``kw`` overrides."""
    from compogen.loop.config import LoopConfig

    base = dict(
        suite="composuite",
        data=str(real_data),
        train="iiwa:train14",
        targets="iiwa:test8",
        eval="iiwa:test8",
        samples_per_task=200,
        workers=0,
        rl_seeds=(0, 1),
    )
    return LoopConfig(**{**base, **kw})


def write_fake_real_data(root: Path, suite, split: str = "iiwa:train14") -> Path:
    """A tiny real-data root for ``split``: one 5-step episode per task with correct task-id dims."""
    from compogen.data import OfflineDatasetWriter, dataset_path

    rng = np.random.default_rng(0)
    lo = suite.observation_layout
    for task in suite.tasks(split):
        with OfflineDatasetWriter(dataset_path(root, task, suite.space), lo.dim, suite.action_dim) as w:
            obs = rng.normal(size=(6, lo.dim)).astype(np.float32)
            obs[:, lo.task_id_start : lo.task_id_stop] = lo.obs_task_block(suite.space.indicator(task), suite.space)
            w.add_episode(obs, np.zeros((5, suite.action_dim)), np.zeros(5), np.zeros(5), terminated=False)
    return root
