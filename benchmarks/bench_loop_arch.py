"""The loop per generator architecture (the paper's Figure 6): one full run of a loop preset per entry.

Each ``--archs`` entry ``arch:steps[:field=value,...]`` runs ``run_bootstrap`` with the preset (same seed, real data,
targets, sampler, validation and rounds) and only the generator changed: its architecture, its training steps
(``zero_shot_race.md``: sc-dit 2,600 ≈ mlp 5,000 in training wall-clock on 2 CPU threads) and optional
``LoopConfig`` changes, which measure a loop setting (``mlp:5000:scale_generator_steps=true``) or resize the
generator (``sc-dit:5000:generator_changes=dit_hidden=256``, the sc-dit at the MLP's parameter count).
Runs are resumable: an entry whose run directory is complete is read,
not run again, so ``--archs`` can be given one entry per invocation and the table written at the end.
``--seeds 0,1`` runs every entry per loop seed (the preset's seed keeps the plain directory name, another
seed's ends ``-s<seed>``) and adds a mean-over-seeds table. An entry's changes may name another split
(``mlp:5000:train=iiwa:train14@ThreeLink,targets=iiwa:test@ThreeLink,eval=iiwa:test@ThreeLink``).
The table holds, per round: admitted, coverage, best-so-far and raw mean success, tasks > 0, minutes.
With ``--baselines F.json`` (a ``bench_zero_shot`` JSON), multi-task BC on the same real data is shown.

    python benchmarks/bench_loop_arch.py --preset standard --archs "sc-dit:2600;mlp:5000;sc-dit:5000:generator_changes=dit_hidden=256" \\
        --work /tmp/loop-arch \\
        --baselines benchmarks/results/zero_shot_race_baselines.json --out benchmarks/results/loop_arch.md
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from report import command  # noqa: E402


def main(argv=None) -> None:
    from compogen.io import atomic_write_json, atomic_write_text
    from compogen.loop.bootstrap import run_bootstrap
    from compogen.loop.config import LoopConfig, loop_preset

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="standard")
    ap.add_argument("--archs", default="sc-dit:2600;mlp:5000", help="';' list of arch:generator-steps[:LoopConfig field=value,...]")
    ap.add_argument("--run", default=None, help="run only this entry of --archs (the table still covers all that finished)")
    ap.add_argument("--seeds", default=None, help="comma list of loop seeds (default: the preset's); each is a run of its own")
    ap.add_argument("--work", default="/tmp/compogen-loop-arch")
    ap.add_argument("--baselines", default=None, help="bench_zero_shot JSON whose multi-task baselines are shown")
    ap.add_argument("--out", default=None)
    ap.add_argument("--plot", default=None, help="PNG: best-so-far mean and admitted tasks per round, per entry and seed")
    args = ap.parse_args(argv)

    base = loop_preset(args.preset)
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [base.seed]
    work = Path(args.work)
    data = work / "data"
    entries = [e for e in args.archs.split(";") if e]
    rows = {}  # (entry, seed) -> the finished run's summary and timings
    for entry in entries:
        arch, steps, *over = entry.split(":", 2)  # the changes may hold split specs with ':' (targets=iiwa:test)
        changes = LoopConfig.parse_changes(over[0]) if over else {}
        for seed in seeds:
            # the preset's own seed keeps the plain name (the runs of loop_arch.md); another seed is a run of its own
            tail = [f"s{seed}"] if seed != base.seed else []
            run = work / "-".join([arch, steps, *(f"{k}{v}".replace(":", "") for k, v in changes.items()), *tail])
            cfg = base.replace(seed=seed, arch=arch, generator_steps=int(steps), data=str(data), **changes)
            if (args.run is None or args.run == entry) and not (run / "done.json").exists():
                t0 = time.perf_counter()
                run_bootstrap(cfg, run)
                atomic_write_json(run / "done.json", {"seconds": time.perf_counter() - t0})
            if (run / "done.json").exists():
                rows[entry, seed] = {
                    "summary": list(csv.DictReader(io.StringIO((run / "summary.csv").read_text()))),
                    "timings": json.loads((run / "timings.json").read_text()),
                    "seconds": json.loads((run / "done.json").read_text())["seconds"],
                }

    bases = json.loads(Path(args.baselines).read_text()).get("baselines", {}) if args.baselines else {}
    lines = [
        f"# The loop per generator architecture: `{args.preset}` preset (the paper's Figure 6)",
        "",
        command(__file__, argv),
        "",
        f"Same seeds ({', '.join(map(str, seeds))}), real data, targets ({base.targets} unless an entry names others), sampler, validation (`{base.validation_preset}`) and rounds"
        f" ({base.iterations}); only the generator differs: its architecture, training steps and the entry's settings.",
        "",
        "| generator | seed | round | admitted | coverage | best-so-far mean | raw mean | tasks solved at least once | minutes (round) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (entry, seed), r in rows.items():
        t = r["timings"]
        for s in r["summary"]:
            k = int(s["iteration"])
            # every generator's training (iter{k}.train_s, and iter{k}.g{g}.train_s with several) and the jobs
            mins = sum(v for key, v in t.items() if key.startswith(f"iter{k}.") and key.endswith(("train_s", "jobs_s"))) / 60
            lines.append(
                f"| {entry} | {seed} | {k} | {s['admitted_total']} | {float(s['coverage']):.3f} | {float(s['mean_best_success']):.3f} |"
                f" {float(s['mean_raw_success']):.3f} | {s['solved_at_least_once']} / {s['n_eval']} | {mins:.1f} |"
            )
    lines += [
        "",
        "Final round, mean over the seeds that finished (each seed's value in brackets):",
        "",
        "| generator | seeds | final best-so-far | final admitted | tasks solved at least once | total minutes |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def cell(vals: list[float], fmt: str) -> str:
        each = f" ({', '.join(format(v, fmt) for v in vals)})" if len(vals) > 1 else ""
        return f"{format(sum(vals) / len(vals), fmt)}{each}"

    by_entry = {e: [r for (x, _), r in rows.items() if x == e] for e in entries}  # finished runs, one per seed
    for entry, done in by_entry.items():
        if not done:
            continue
        last = [r["summary"][-1] for r in done]
        lines.append(
            f"| {entry} | {len(done)} | {cell([float(x['mean_best_success']) for x in last], '.3f')} |"
            f" {cell([int(x['admitted_total']) for x in last], '.1f')} | {cell([int(x['solved_at_least_once']) for x in last], '.1f')} |"
            f" {cell([r['seconds'] / 60 for r in done], '.1f')} |"
        )
    names = {"mlp": "multi-task BC (MLP)", "sc": "multi-task BC (semantic compositional)"}
    base_means = {names.get(b, b): sum(x["best"] for x in res.values()) / len(res) for b, res in bases.items()}
    lines += [f"| {name} | – | {v:.3f} | – | – | – |" for name, v in base_means.items()]
    text = "\n".join(lines) + "\n"
    if args.plot:
        plot_rounds(by_entry, base_means, Path(args.plot))
    if args.out:
        atomic_write_text(args.out, text)
    print(text)


def plot_rounds(by_entry: dict[str, list[dict]], baselines: dict[str, float], out: Path) -> None:
    """Two panels over rounds (the paper's Figure 6): best-so-far mean success and tasks admitted, one colour per
    entry, a thin line per seed and a thick one for their mean; the multi-task baselines as dashed lines."""
    import matplotlib

    from compogen.io import atomic_path

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for i, (entry, done) in enumerate((e, d) for e, d in by_entry.items() if d):
        runs = [r["summary"] for r in done]
        for ax, key in zip(axes, ("mean_best_success", "admitted_total"), strict=True):
            curves = [[float(x[key]) for x in run] for run in runs]
            for c in curves:
                ax.plot(range(len(c)), c, color=f"C{i}", alpha=0.35, lw=1)
            n = min(len(c) for c in curves)
            mean = [sum(c[k] for c in curves) / len(curves) for k in range(n)]
            ax.plot(range(n), mean, color=f"C{i}", lw=2.5, marker="o", label=f"{entry} ({len(curves)} seed{'s' * (len(curves) > 1)})")
    for j, (name, v) in enumerate(baselines.items()):
        axes[0].axhline(v, color="k", ls=("--", ":")[j % 2], lw=1, label=name)
    axes[0].set(xlabel="round", ylabel="best-so-far mean success (held-out)", title="best-so-far mean")
    axes[1].set(xlabel="round", ylabel="held-out tasks admitted (total)", title="admitted")
    for ax in axes:
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=3, frameon=False)
    fig.tight_layout(rect=(0, 0.1 + 0.04 * (len(labels) // 3), 1, 1))
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)


if __name__ == "__main__":
    main()
