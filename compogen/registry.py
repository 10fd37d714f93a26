"""Named things of one kind (presets, samplers, architectures, suites): one lookup, one error.

A settings preset with changes is ``REGISTRY.create(name, field=value, ...)``, for every kind.

>>> from compogen.registry import Registry
>>> colours = Registry("colour", {"red": 1})
>>> colours["red"], "blue" in colours
(1, False)
>>> colours["blue"]
Traceback (most recent call last):
...
compogen.registry.UnknownName: unknown colour 'blue'; valid: red
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from compogen.errors import CompogenError

__all__ = ["Registry", "UnknownName"]

T = TypeVar("T")


class UnknownName(CompogenError, KeyError):
    """A name no registry entry has (a :class:`KeyError` too, so ``in`` and ``.get`` work)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Registry(Mapping, Generic[T]):
    """A read-mostly mapping of names to things of one ``kind``, in registration order."""

    def __init__(self, kind: str, items: dict[str, T] | None = None):
        self.kind = kind
        self._items: dict[str, T] = dict(items or {})

    def __getitem__(self, name: str) -> T:
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise UnknownName(f"unknown {self.kind} {name!r}; valid: {', '.join(self._items)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def create(self, name: str, **overrides) -> T:
        """The entry ``name``, with ``overrides`` applied through its ``replace`` (settings presets)."""
        item = self[name]
        return item.replace(**overrides) if overrides else item

    def register(self, name: str, item: T) -> None:
        self._items[name] = item

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {list(self._items)})"
