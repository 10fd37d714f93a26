"""Options that several commands take, each defined and checked once here, so that every command
that takes one refuses the same values with the same line (exit 2) while parsing, before any work."""

from __future__ import annotations

from typing import Any

import typer

from compogen.rl.rollout import CollectConfig

__all__ = ["SEED_LIMIT", "parse_seed", "parse_seeds", "seed_option", "seeds_option", "episodes_option", "noise_option", "quiet_option"]

SEED_LIMIT = 2**32
"""Every seed option takes 0 <= seed < 2**32: what numpy, torch and the environments all accept."""
_SEED_RANGE = "0 <= seed < 2**32"


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        seed = None
    if seed is None or not 0 <= seed < SEED_LIMIT:
        raise typer.BadParameter(f"{text.strip()!r} is not a seed: expected an integer {_SEED_RANGE}")
    return seed


def parse_seed(text: Any) -> int:
    """One seed, ``0 <= seed < 2**32``."""
    return _seed(str(text))


def parse_seeds(text: Any) -> list[int]:
    """Comma-separated distinct seeds, e.g. ``0,1,2``."""
    seeds = [_seed(s) for s in str(text).split(",") if s.strip()]
    if not seeds or len(set(seeds)) != len(seeds):
        raise typer.BadParameter(f"{text!r}: expected distinct seeds ({_SEED_RANGE}) separated by commas, like 0,1,2")
    return seeds


def seed_option(default: int | None, help: str) -> Any:
    return typer.Option(default, "--seed", parser=parse_seed, metavar="SEED", help=f"{help.rstrip('.')}; {_SEED_RANGE}.")


def seeds_option(default: str | None, help: str) -> Any:
    """Parsed to a list; annotate the parameter ``Any`` (typer takes a list-typed option several times)."""
    return typer.Option(default, "--seeds", parser=parse_seeds, metavar="SEEDS", help=f"{help.rstrip('.')}; {_SEED_RANGE}.")


def episodes_option(default: int | None = CollectConfig.episodes) -> Any:
    """Expert episodes to collect per task (``collect``; ``bootstrap`` passes None: the preset's)."""
    return typer.Option(
        default, "--episodes", min=1, help=f"Expert episodes per task when collecting [default: {CollectConfig.episodes}].", show_default=False
    )


def noise_option(default: float | None = CollectConfig.noise) -> Any:
    """Noise on the collected expert actions (``collect``; ``bootstrap`` passes None: the preset's)."""
    return typer.Option(
        default,
        "--noise",
        min=0.0,
        help=f"Std σ of the Gaussian noise added to expert actions when collecting (state coverage) [default: {CollectConfig.noise}].",
        show_default=False,
    )


def _set_quiet(value: bool) -> bool:
    from compogen.progress import set_quiet

    set_quiet(value)  # every command takes it, so each invocation sets it afresh
    return value


def quiet_option() -> Any:
    """``--quiet``: no progress output (bars, or off a terminal their percent lines); results still print."""
    return typer.Option(
        False, "--quiet", "-q", callback=_set_quiet, help="No progress output (bars on a terminal, a line per 10 % elsewhere); results still print."
    )
