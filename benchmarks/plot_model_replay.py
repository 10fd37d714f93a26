"""One synthetic episode against the simulator's replay of its actions, per factor over time (a PNG).

The episode is synthesised by chaining the generator (:func:`compogen.generator.episodes.synthesize_episodes`);
the simulator starts from the same initial state (:func:`~compogen.generator.episodes.reset_seed`) and
executes the episode's actions. Each panel is one observation quantity of a factor (object position,
end-effector position, the first joint angle, reward), generated against simulated.

    python benchmarks/plot_model_replay.py --model /tmp/cg/mlp-laptop-5000-s0 --task fivelink-plate-none-push \\
        --out benchmarks/results/model_replay.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from compogen.generator import Generator
    from compogen.generator.episodes import initial_states, reset_seed, synthesize_episodes
    from compogen.suites import get_suite
    from compogen.suites.builtin.layout import OBS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--task", default="fivelink-plate-none-push")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--episode", type=int, default=0)
    ap.add_argument("--sampler-steps", type=int, default=20)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    gen = Generator.load(args.model)
    suite = get_suite(gen.config["suite"])
    init = initial_states(suite, args.task, 1, args.seed, start=args.episode)
    ep = synthesize_episodes(gen, args.task, init, suite.horizon, "fast", args.sampler_steps, seed=args.seed, start=args.episode)
    env = suite.make_env(args.task)
    obs, _ = env.reset(seed=reset_seed(args.seed, args.episode))
    assert np.array_equal(obs, ep.observations[0]), "the simulator must start where the episode starts"
    sim_obs, sim_rew = [obs], []
    for a in ep.actions:
        obs, r, term, trunc, _ = env.step(a)
        sim_obs.append(obs)
        sim_rew.append(r)
        if term or trunc:
            break
    sim_obs = np.stack(sim_obs)
    gen_obs = np.concatenate([ep.observations, ep.next_observations[-1:]])
    proprio = suite.observation_layout.factor("proprio").start
    panels = [
        ("object x (m)", OBS.object_x),
        ("object z (m)", OBS.object_z),
        ("end-effector x (m)", proprio + 12),
        ("end-effector z (m)", proprio + 13),
        ("joint 1 angle (rad)", proprio),
    ]
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(3.2 * (len(panels) + 1), 3.0))
    for ax, (name, i) in zip(axes, panels, strict=False):  # the last axis is the reward panel
        ax.plot(gen_obs[:, i], label="generated episode")
        ax.plot(sim_obs[:, i], "--", label="simulator, same actions")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("step")
    axes[-1].plot(ep.rewards, label="generated episode")
    axes[-1].plot(sim_rew, "--", label="simulator, same actions")
    axes[-1].set_title("reward", fontsize=9)
    axes[-1].set_xlabel("step")
    axes[0].legend(fontsize=7)
    info = gen.info()
    fig.suptitle(
        f"{args.task}: a synthetic episode ({info['arch']} {info['preset']}, step {info['step']}) and its actions replayed in the simulator",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}: {len(ep)} generated steps, {len(sim_rew)} simulated")


if __name__ == "__main__":
    main()
