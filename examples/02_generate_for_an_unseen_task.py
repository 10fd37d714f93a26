"""Collect expert data on two tasks, train a compositional generator, generate for an
unseen combination, and validate the synthetic data with TD3+BC (toy budgets: ~1 min).

    python examples/02_generate_for_an_unseen_task.py
"""

import tempfile
from pathlib import Path

from compogen import get_suite, load_pool, read_synthetic
from compogen.generator import TrainConfig, generate, train_generator
from compogen.rl.rollout import CollectConfig, collect
from compogen.validation import preset, validate

if __name__ == "__main__":  # worker processes (spawn) re-import this file
    suite = get_suite("builtin")
    train = suite.tasks("fivelink-box-none-push,fivelink-plate-none-shelf")
    unseen = suite.parse("fivelink-box-none-shelf")  # Box from one task, Shelf from the other
    root = Path(tempfile.mkdtemp(prefix="compogen-example-"))

    collect(suite, train, root / "data", CollectConfig(episodes=20, noise=0.1), workers=2)
    pool = load_pool(root / "data", train, suite)
    print(f"pool: {len(pool)} real transitions of {len(pool.tasks)} tasks")

    train_generator(pool, suite.transition_layout(), root / "gen", TrainConfig(arch="sc-dit", preset="cpu", seed=0, steps=300))
    out = generate(root / "gen", unseen, 2000, root / "unseen.h5", sampler="fast", steps=20, seed=0)
    data = read_synthetic(out, task=unseen)
    print(f"generated {len(data)} transitions for {suite.task_id(unseen)}; mean reward {data.rewards.mean():.3f}")

    result = validate(suite, unseen, data, preset("tiny"), seeds=[0, 1])
    for s in result.seeds:
        print(f"seed {s.seed}: success {s.success_rate:.2f} [{s.ci_low:.2f}, {s.ci_high:.2f}], env steps {s.env_steps}")
    print("files in", root)
