"""Re-plot a run's ``progress.png`` from a ``bench_bootstrap_quick.py`` result file (its logged per-task lines).

    python benchmarks/replot_bootstrap.py benchmarks/results/bootstrap_standard.md benchmarks/results/bootstrap_standard.png

For results whose run directory is gone: the per-task success of every round and the admitting round are in
the log; environment steps are not, so they are zero in the re-plot (no panel shows them). When the result file
compares the loop with multi-task BC (``--baseline-steps``), the BC mean success is drawn as a line.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(src: str, png: str) -> None:
    from compogen.loop.metrics import write_metrics

    text = Path(src).read_text()
    results: dict[int, dict[str, dict]] = {}
    for m in re.finditer(r"\[iter (\d+)\] ([\w-]+): success ([\d.]+)", text):
        results.setdefault(int(m.group(1)), {})[m.group(2)] = {"success": float(m.group(3))}
    admitted: dict[int, list[str]] = {k: [] for k in results}
    for m in re.finditer(r"^([\w-]+)\s+[\d.]+\s+[\d.]+\s+iter (\d+)$", text, re.M):
        admitted[int(m.group(2))].append(m.group(1))
    taus = {int(k): float(t) for k, t in re.findall(r"^\s*(\d+)\s+([\d.]+)\s+[\d.]+\s+[\d.]+\s+\d+/\d+", text, re.M)}
    history = [{"iteration": k, "tau": taus.get(k, 0.8), "results": results[k], "admitted": admitted[k]} for k in sorted(results)]
    train = int(re.search(r"training \w+ generator on (\d+) real", text).group(1))
    universe = 64  # the IIWA split's tasks (14 training + 50 targets)
    bc = re.search(r"vs multi-task BC ([\d.]+)\*\*", text)
    baseline = float(bc.group(1)) if bc else None
    with tempfile.TemporaryDirectory() as tmp:
        write_metrics(
            Path(tmp),
            history,
            list(results[min(results)]),
            train,
            universe,
            "mlp on builtin (iiwa:train14), re-plotted",
            baseline=baseline,
        )
        Path(png).write_bytes((Path(tmp) / "progress.png").read_bytes())


if __name__ == "__main__":
    main(*sys.argv[1:3])
