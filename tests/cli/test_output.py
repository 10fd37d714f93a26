"""What the commands print: progress fit for a log, --quiet, --version, pure JSON, help examples that
work, the bootstrap's closing lines, and the defaults."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version

import pytest
import typer

from compogen.cli import app, main
from compogen.progress import set_quiet
from compogen.suites import DEFAULT_SUITE, get_suite


@pytest.fixture(autouse=True)
def _loud():
    yield
    set_quiet(False)


def _commands(cmd=None, path=()):
    """(path, click command) of every command of the CLI."""
    cmd = cmd or typer.main.get_command(app)
    subs = getattr(cmd, "commands", None)
    if not subs:
        yield " ".join(path), cmd
        return
    for name, sub in subs.items():
        yield from _commands(sub, (*path, name))


def _collect(tmp_path, *extra):
    env = {k: v for k, v in os.environ.items() if k != "TQDM_DISABLE"}
    argv = ["collect", "--tasks", "fivelink-box-none-push,fivelink-plate-none-push", "--episodes", "20", "--workers", "1", "--out", str(tmp_path)]
    return subprocess.run([sys.executable, "-m", "compogen.cli", *argv, *extra], capture_output=True, check=False, text=True, env=env, timeout=300)


def test_piped_progress_is_a_few_plain_lines_and_json_stays_pure(tmp_path):
    r = _collect(tmp_path / "a", "--json")
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stdout + r.stderr  # no redrawn bar in a log
    lines = r.stderr.splitlines()
    assert 2 <= len(lines) <= 12, r.stderr  # 40 episodes: a line per 10 %, not one per episode
    assert lines[-1].startswith("collect 2 tasks: 100% (40/40 ep)")
    d = json.loads(r.stdout)  # stdout is one JSON document, progress went to stderr
    assert d["tasks"] == 2 and d["episodes"] == 20 and [x["task"] for x in d["results"]] == ["fivelink-box-none-push", "fivelink-plate-none-push"]
    assert all(x["episodes"] == 20 and x["transitions"] > 0 for x in d["results"])


def test_quiet_prints_no_progress_and_still_the_results(tmp_path):
    r = _collect(tmp_path / "b", "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    out = r.stdout.splitlines()
    assert len(out) == 3 and out[0].startswith("fivelink-box-none-push") and json.loads(out[-1])["tasks"] == 2


def test_every_command_takes_quiet():
    commands = dict(_commands())
    assert {"collect", "train", "generate", "validate", "bootstrap", "publish", "online", "tasks show", "data inspect"} <= set(commands)
    missing = [name for name, cmd in commands.items() if not any("--quiet" in p.opts for p in cmd.params)]
    assert not missing, f"no --quiet: {missing}"


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"compogen {version('compogen')}"


def _examples(text: str) -> tuple[set[str], set[str]]:
    """Task ids (robot-object-obstacle-objective) and split specs (iiwa:train14, default:0:train) named in a help text."""
    ids = set(re.findall(r"(?<![\w/-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+){3}(?![\w-])", text))
    specs = set(re.findall(r"(?<![\w/])(?:iiwa|default|compositional|holdout)(?::[A-Za-z0-9]+)+", text))
    return ids, specs


def test_every_example_in_the_help_works_on_the_suite_the_command_defaults_to():
    found, bad = 0, []
    for name, cmd in _commands():
        suite_param = next((p for p in cmd.params if p.name == "suite"), None)
        suite = get_suite((suite_param.default if suite_param is not None else None) or DEFAULT_SUITE)
        texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
        ids, specs = _examples("\n".join(texts))
        found += len(ids) + len(specs)
        for tid in ids:
            try:
                suite.parse(tid)
            except Exception as e:  # noqa: BLE001 - any failure is a broken example
                bad.append(f"{name}: {tid} ({e})")
        for spec in specs:
            try:
                assert suite.tasks(spec)
            except Exception as e:  # noqa: BLE001 - any failure is a broken example
                bad.append(f"{name}: {spec} ({e})")
    assert found >= 8, "the help texts name fewer examples than expected: is the pattern still right?"
    assert not bad, bad


def test_example_patterns():
    ids, specs = _examples("e.g. iiwa-plate-none-push, compogen/<task>-v0, DPM-Solver++(2M), semantic-dit; iiwa:train14, default:0:train, default: x")
    assert ids == {"iiwa-plate-none-push"} and specs == {"iiwa:train14", "default:0:train"}


def test_bootstrap_says_to_publish_before_it_shows_how_to_load(capsys, tmp_path, monkeypatch):
    import compogen.loop.bootstrap

    state = {"pool": [{"task": "fivelink-box-none-push"}]}
    monkeypatch.setattr(compogen.loop.bootstrap, "run_bootstrap", lambda *a, **k: state)
    assert main(["bootstrap", "--out", str(tmp_path / "run"), "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    publish = next(i for i, x in enumerate(out) if f"compogen publish --run {tmp_path / 'run'}" in x)
    load = next(i for i, x in enumerate(out) if "minari.load_dataset(" in x)
    assert "not published yet" in out[publish - 1]
    assert publish < load and any("Once published" in x for x in out[publish:load])


def test_defaults_follow_the_benchmarks():
    from compogen.loop.config import DEFAULT_ARCH, LoopConfig

    commands = dict(_commands())
    default = {p.name: p.default for p in commands["generate"].params}
    assert default["sampler"] == "fast"  # as good as `paper` or better, 6x fewer calls (generator_results.md)
    assert {p.name: p.default for p in commands["train"].params}["arch"] == DEFAULT_ARCH == LoopConfig().arch
