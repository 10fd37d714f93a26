"""Generator settings sweep: which size, steps, learning rate and sampler make data that clones?

Trains one generator (``--arch``, ``--preset`` with ``--set`` overrides) on the 14 training tasks'
expert data (``bench_generator_fidelity.real_pool``), stops at each of ``--stops`` (the
learning-rate schedule is that of the last stop), and at each stop generates ``--n`` transitions
for a few *training* tasks (``--tasks``) and, with ``--zero-shot``, for held-out tasks, validating
each with the ``quick`` preset (BC, one seed). Prints one line per stop; the measured lines are
collected in ``benchmarks/results/generator_sweep.md``.

    python benchmarks/bench_generator_sweep.py --arch mlp --preset small --set mlp_width=1024,lr_mlp=0.001 \\
        --stops 5000 --zero-shot iiwa:test8
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIX = (
    "fivelink-box-none-push,fivelink-plate-none-shelf,fivelink-box-objectdoor-shelf,fivelink-box-none-trashcan,"
    "fivelink-hollowbox-objectdoor-pickplace,fivelink-dumbbell-objectwall-push"
)


def success(suite, model: Path, tasks, n: int, sampler_steps: int, tag: str, seed0: int) -> list[float]:
    from compogen.data import read_synthetic
    from compogen.generator import generate
    from compogen.validation import preset, validate_many

    items = []
    for i, t in enumerate(tasks):
        path = model / f"{tag}-{suite.task_id(t)}.h5"
        generate(model, t, n, path, sampler="fast", steps=sampler_steps, seed=seed0 + i, progress=False)
        items.append((t, read_synthetic(path, task=t, obs_dim=suite.observation_layout.dim, action_dim=suite.action_dim)))
    return [r.success_rate for r in validate_many(suite, items, preset("quick"), seeds=[0], progress=False, max_policies=8)]


def main(argv=None) -> None:
    from bench_generator_fidelity import real_pool

    from compogen.generator import TrainConfig, train_generator
    from compogen.generator.presets import get_preset
    from compogen.suites import get_suite

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="mlp")
    ap.add_argument("--preset", default="cpu")
    ap.add_argument("--set", default="", help="preset overrides, k=v,k=v (e.g. mlp_width=1024,lr_mlp=0.001)")
    ap.add_argument("--stops", default="3000", help="training steps at which to measure (last = schedule length)")
    ap.add_argument("--sampler-steps", type=int, default=20)
    ap.add_argument("--n", type=int, default=8000, help="transitions per task")
    ap.add_argument("--tasks", default=SIX, help="training tasks to measure")
    ap.add_argument("--zero-shot", default=None, help="also measure these held-out tasks at the last stop")
    ap.add_argument("--work", default="/tmp/compogen-fidelity")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    suite = get_suite("builtin")
    pool = real_pool(suite, suite.tasks("iiwa:train14"), Path(a.work) / "data", 100)
    base = get_preset(a.preset)
    kw = {k: type(getattr(base, k))(v) for k, v in (kv.split("=") for kv in filter(None, a.set.split(",")))}
    stops = [int(s) for s in a.stops.split(",")]
    p = base.override(steps=stops[-1], **kw)
    tag = "-".join([a.arch, a.preset] + [f"{k}{v}" for k, v in kw.items()] + [str(stops[-1])])
    model = Path(a.work) / "sweep" / tag
    tasks = [suite.parse(t) for t in a.tasks.split(",")]
    for stop in stops:
        t0 = time.perf_counter()
        train_generator(
            pool, suite.transition_layout(), model, TrainConfig(arch=a.arch, preset=p, seed=0), suite="builtin", stop_at=stop, progress=False
        )
        train_s = time.perf_counter() - t0
        sr = success(suite, model, tasks, a.n, a.sampler_steps, f"s{stop}-k{a.sampler_steps}", 0)
        loss = json.loads((model / "config.json").read_text())["training"]["loss_log"][-1][1]
        print(f"{tag} step {stop} loss {loss:.4f} train {train_s:.0f}s training tasks {sr} mean {np.mean(sr):.3f}", flush=True)
    if a.zero_shot:
        held = suite.tasks(a.zero_shot)
        sr = success(suite, model, held, a.n, a.sampler_steps, f"zs-k{a.sampler_steps}", 100)
        print(
            f"{tag} zero-shot {a.zero_shot}: {sr} mean {np.mean(sr):.3f} >0.8 {sum(s > 0.8 for s in sr)}/{len(sr)} >0 {sum(s > 0 for s in sr)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
