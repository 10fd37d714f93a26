"""τ / patience bookkeeping of Algorithm 1 against hand-worked rounds."""

import pytest

from compogen.loop.schedule import ScheduleState, ThresholdSchedule, advance

T = ["a", "b", "c", "d"]


def test_hand_worked_rounds_paper_settings():
    sch = ThresholdSchedule()  # τ0 .8, τmin .5, Δτ .1, C = 1
    s = ScheduleState.initial(sch)
    # round 0: a passes .8 -> admitted, patience reset, τ stays
    s = advance(s, {"a": 0.85, "b": 0.8, "c": 0.1, "d": 0.0}, sch, T)
    assert (sorted(s.solved), s.tau, s.patience, s.done) == (["a"], 0.8, 0, False)
    # round 1: nothing > .8 (0.8 is not > 0.8) -> c = 1 >= C -> τ = .7, c = 0
    s = advance(s, {"b": 0.8, "c": 0.6, "d": 0.0}, sch, T)
    assert (sorted(s.solved), s.tau, s.patience) == (["a"], 0.7, 0)
    # round 2: b .8 > .7 admitted
    s = advance(s, {"b": 0.8, "c": 0.65, "d": 0.0}, sch, T)
    assert (sorted(s.solved), s.tau) == (["a", "b"], 0.7)
    # rounds 3, 4, 5: nothing -> .6, .5, then clamped at .5
    for want in (0.6, 0.5, 0.5):
        s = advance(s, {"c": 0.45, "d": 0.0}, sch, T)
        assert s.tau == pytest.approx(want) and s.patience == 0
    # round 6: c .55 > .5 and d .51 -> all solved, done
    s = advance(s, {"c": 0.55, "d": 0.51}, sch, T)
    assert s.done and s.solved == frozenset(T)


def test_patience_two_rounds():
    sch = ThresholdSchedule(tau0=0.9, tau_min=0.6, delta_tau=0.2, patience=2)
    s = ScheduleState.initial(sch)
    s = advance(s, {"a": 0.5}, sch, T)
    assert (s.tau, s.patience) == (0.9, 1)
    s = advance(s, {"a": 0.5}, sch, T)
    assert (s.tau, s.patience) == (pytest.approx(0.7), 0)
    s = advance(s, {"a": 0.75}, sch, T)  # admitted: patience stays 0
    assert (s.solved, s.patience) == (frozenset({"a"}), 0)
    s = advance(s, {"b": 0.1}, sch, T)
    s = advance(s, {"b": 0.1}, sch, T)
    assert s.tau == pytest.approx(0.6)  # 0.7 - 0.2 clamped at τ_min


def test_solved_tasks_are_never_readmitted_or_dropped():
    sch = ThresholdSchedule()
    s = advance(ScheduleState.initial(sch), {"a": 0.95}, sch, T)
    s2 = advance(s, {"a": 0.0, "b": 0.1}, sch, T)  # a re-reported low: stays solved
    assert "a" in s2.solved and s2.tau == pytest.approx(0.7)


def test_bad_settings():
    with pytest.raises(ValueError):
        ThresholdSchedule(tau0=0.4, tau_min=0.5)
    with pytest.raises(ValueError):
        ThresholdSchedule(patience=0)
