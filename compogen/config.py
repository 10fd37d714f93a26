"""One form for every settings dataclass: ``to_dict`` / ``from_dict`` / ``replace``.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Demo(Config):
...     steps: int = 10
...     sizes: tuple = (1, 2)
>>> Demo().replace(steps=3).to_dict()
{'steps': 3, 'sizes': [1, 2]}
>>> Demo.from_dict({"stepz": 1})
Traceback (most recent call last):
...
compogen.errors.CompogenError: Demo: unknown settings ['stepz']; valid: steps, sizes
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, TypeVar

from compogen.errors import CompogenError

__all__ = ["Config", "given"]

C = TypeVar("C", bound="Config")


def given(**values: Any) -> dict[str, Any]:
    """The values that were given (not None): CLI options that override a preset."""
    return {k: v for k, v in values.items() if v is not None}


class Config:
    """Mixin of compogen's frozen settings dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tuples become lists."""
        d = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """JSON-ready default of every field that has one (what a settings file written before a field
        existed is taken to hold)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                v = f.default
            elif f.default_factory is not dataclasses.MISSING:
                v = f.default_factory()
            else:
                continue
            v = v.to_dict() if isinstance(v, Config) else v
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def _check_names(cls, names) -> None:
        valid = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(names) - set(valid))
        if unknown:
            raise CompogenError(f"{cls.__name__}: unknown settings {unknown}; valid: {', '.join(valid)}")

    @classmethod
    def from_dict(cls: type[C], d: dict[str, Any]) -> C:
        """Settings from a dict (a saved ``config.json``); unknown or ill-typed entries are refused."""
        if not isinstance(d, dict):
            raise CompogenError(f"{cls.__name__}: expected a JSON object of settings, got {type(d).__name__}")
        cls._check_names(d)
        try:
            return cls(**d)
        except (TypeError, ValueError) as e:
            raise CompogenError(f"{cls.__name__}: {e}") from None

    @classmethod
    def parse_changes(cls, text: str) -> dict[str, Any]:
        """``"field=value,..."`` as typed changes for :meth:`replace` (bools: 1/true/yes), e.g. a
        benchmark's preset overrides; an unknown field or a value of the wrong type is refused."""
        hints = typing.get_type_hints(cls)
        changes: dict[str, Any] = {}
        for item in filter(None, text.split(",")):
            k, sep, v = item.partition("=")
            cls._check_names([k])
            kind = hints[k]
            scalars = [a for a in typing.get_args(kind) if a is not type(None)]
            if type(None) in typing.get_args(kind) and len(scalars) == 1:  # an optional scalar: "none" unsets it
                if v.lower() == "none":
                    changes[k] = None
                    continue
                kind = scalars[0]
            if not sep or kind not in (bool, int, float, str):
                raise CompogenError(f"{cls.__name__}: cannot set {item!r} from text (expected field=value of a scalar field)")
            try:
                changes[k] = v.lower() in ("1", "true", "yes") if kind is bool else kind(v)
            except ValueError:
                raise CompogenError(f"{cls.__name__}: {k} expects {kind.__name__}, got {v!r}") from None
        return changes

    def replace(self: C, **changes: Any) -> C:
        """A copy with ``changes`` (every given value is used, None included)."""
        self._check_names(changes)
        try:
            return dataclasses.replace(self, **changes)
        except (TypeError, ValueError) as e:
            raise CompogenError(f"{type(self).__name__}: {e}") from None
