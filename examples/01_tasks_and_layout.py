"""Tasks, indicators and the flat transition layout (no simulator needed).

python examples/01_tasks_and_layout.py
"""

import numpy as np

from compogen import get_suite

suite = get_suite("composuite")  # metadata only: CompoSuite itself is not needed here
task = suite.parse("Kinova3-Plate-None-Push")
print("task:", suite.task_id(task), "indicator:", suite.space.indicator(task).astype(int).tolist())

layout = suite.transition_layout()
print(layout)
for tok in layout.tokens:
    print(f"  {tok.name:12s} [{tok.start:3d}:{tok.stop:3d}]  kind={tok.kind:10s} axis={tok.axis}")

# pack a fake batch of transitions and get it back, task ids re-inserted
rng = np.random.default_rng(0)
obs = rng.normal(size=(4, 93)).astype(np.float32)
obs[:, 45:61] = suite.observation_layout.obs_task_block(suite.space.indicator(task), suite.space)
flat = layout.pack(obs, rng.uniform(-1, 1, (4, 8)), np.zeros(4), obs, np.zeros(4))
back = layout.unpack(flat, task)
assert np.array_equal(back["observations"], obs)
print("flat batch:", flat.shape, "-> round trip ok")

print("paper split: 14 train tasks, e.g.", [suite.task_id(t) for t in suite.tasks("iiwa:train14")[:3]])
builtin = get_suite("builtin")
print("same combinations on the built-in suite:", [builtin.task_id(t) for t in builtin.tasks("iiwa:train14")[:3]])
