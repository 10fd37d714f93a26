"""Every python snippet of the README's "Use the data" section runs, against a freshly published dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _snippets() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Use the data", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]


def test_the_section_has_the_promised_snippets():
    joined = "\n".join(_snippets())
    for name in ("minari.load_dataset", "to_d3rlpy", "to_d4rl", "offline_env", "fill_sb3_buffer", "run_online"):
        assert name in joined, name


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("index", range(len(_snippets())))
def test_readme_snippet_runs(index, tmp_path, monkeypatch):
    from random_data import random_episodes

    from compogen.publish import publish

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    monkeypatch.chdir(tmp_path)
    data = random_episodes((200,) * 15)  # 3,000 steps of chained episodes, as synthetic episodes are published
    data.rewards = np.random.default_rng(0).uniform(size=len(data)).astype(np.float32)
    assert publish(data, "fivelink-plate-none-push", layout="episodes")
    exec(compile(_snippets()[index], f"README snippet {index}", "exec"), {"__name__": "__readme__"})
