"""compogen.progress: a bar on a terminal, a line per 10 % elsewhere, nothing when quiet; every bar goes through it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from compogen import progress
from compogen.progress import LineBar, SilentBar, bar, set_quiet


@pytest.fixture(autouse=True)
def _loud(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    set_quiet(False)
    yield
    set_quiet(False)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_bar_prints_a_bounded_number_of_plain_lines():
    out = io.StringIO()
    with bar(total=10_000, desc="train mlp/tiny", unit="step", file=out, dynamic_ncols=True) as b:
        assert isinstance(b, LineBar)
        for i in range(10_000):
            b.update(1)
            if i % 1000 == 0:
                b.set_postfix(loss=f"{1 / (i + 1):.4f}")
    text = out.getvalue()
    lines = text.splitlines()
    assert "\r" not in text
    assert len(lines) == 11  # 0 %, 10 %, ..., 100 %
    assert lines[0].startswith("train mlp/tiny:   0% (0/10000 step)")
    assert lines[-1].startswith("train mlp/tiny: 100% (10000/10000 step)") and "loss=" in lines[-1]
    assert [int(re.search(r"(\d+)%", x).group(1)) for x in lines] == list(range(0, 101, 10))


def test_a_resumed_or_interrupted_bar_prints_where_it_stands():
    out = io.StringIO()
    b = bar(total=100, initial=40, desc="sac", file=out)
    for _ in range(25):
        b.update(1)
    b.close()
    b.close()  # closing twice prints once
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("sac:  40% (40/100")
    assert lines[-1].startswith("sac:  65% (65/100")  # stopped between two marks: the close says where
    assert len(lines) == 4  # 40 %, 50 %, 60 %, the close


def test_a_bar_without_a_total_and_an_iterable_bar():
    out = io.StringIO()
    assert list(bar(range(5), desc="sample", file=out)) == [0, 1, 2, 3, 4]
    assert out.getvalue().splitlines()[-1].startswith("sample: 100% (5/5 it)")
    out = io.StringIO()
    with bar(desc="stream", unit="tr", file=out) as b:
        b.update(7)
    assert [x.split(",")[0] for x in out.getvalue().splitlines()] == ["stream: 0 tr", "stream: 7 tr"]


def test_a_slow_bar_still_prints_now_and_then(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    out = io.StringIO()
    b = bar(total=1000, desc="slow", file=out)
    for _ in range(3):
        clock[0] += progress.MAX_SILENCE_S
        b.update(1)  # far below 10 %, but a quiet stretch has passed
    assert len(out.getvalue().splitlines()) == 4


def test_quiet_disabled_and_tqdm_disable_print_nothing(monkeypatch):
    out = io.StringIO()
    b = bar(total=10, file=out, disable=True)
    assert isinstance(b, SilentBar)
    set_quiet(True)
    with bar(total=10, file=out) as b:
        b.update(10)
        b.set_postfix(loss=1)
    assert isinstance(b, SilentBar) and b.n == 10
    set_quiet(False)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert isinstance(bar(total=10, file=out), SilentBar)
    assert out.getvalue() == ""


def test_on_a_terminal_it_is_tqdm():
    from tqdm.auto import tqdm

    term = _Terminal()
    with bar(total=3, desc="x", file=term, leave=False) as b:
        assert isinstance(b, tqdm)
        b.update(3)


ROOT = Path(__file__).resolve().parents[1] / "compogen"


def test_every_progress_bar_goes_through_compogen_progress():
    """Only compogen.progress imports tqdm."""
    users = {str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py") if re.search(r"^\s*(from|import) tqdm", p.read_text(), re.M)}
    assert users == {"progress.py"}, f"import tqdm directly: {sorted(users - {'progress.py'})}"
