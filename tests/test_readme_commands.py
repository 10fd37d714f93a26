"""The README's two commands: CI runs exactly the test one; the main one names a real command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("## Two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_ci_runs_the_readme_test_command():
    main_cmd, test_cmd = _readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines()
    assert "pytest" in test_cmd and "bootstrap --preset quick" in main_cmd
    # both set up the same way
    assert main_cmd.split(" && ")[:2] == test_cmd.split(" && ")[:2]


def test_main_command_exists(capsys):
    from compogen.cli import main

    assert main(["bootstrap", "--help"]) == 0
    assert "--preset" in capsys.readouterr().out
