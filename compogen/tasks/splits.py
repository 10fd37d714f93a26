"""Train/test task lists shipped as package data, and the split-spec grammar.

The lists are CompoSuite's (Hussing et al. 2024) plus the IIWA split of Pham et
al. 2026. They are written with CompoSuite's element names; on another suite an
element maps to the element at the same position of that suite's axis (the
built-in suite's first arm plays IIWA's part), so ``iiwa:train14`` means the same
object/obstacle/objective combinations on every suite.

Spec grammar (items joined by ``,`` are concatenated, duplicates dropped)::

    all                              every task of the space
    iiwa:train | iiwa:train14 | iiwa:middle | iiwa:test
    default:K:train | default:K:test | default:K:train56
    compositional:K:train|test|expert[N]
    holdout:ELEMENT:K:train|test[N]
    iiwa-box-none-push               a single task id
    SPEC@ELEMENT                     SPEC's tasks with ELEMENT on its axis (iiwa:test@ThreeLink:
                                     the IIWA split's combinations on the suite's second arm)

A trailing number on the part takes the first N entries (the paper's scaling
study); ``middle`` is the IIWA train list after its first 14 entries.

>>> from compogen.tasks.space import COMPOSUITE_SPACE
>>> len(resolve_tasks("iiwa:train14", COMPOSUITE_SPACE)), len(resolve_tasks("iiwa:test", COMPOSUITE_SPACE))
(14, 32)
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from compogen.errors import UnknownTaskError
from compogen.tasks.space import COMPOSUITE_SPACE, Task, TaskSpace

__all__ = ["PAPER_NUM_TRAIN", "load_split", "resolve_tasks", "split_names", "translate"]

#: The paper trains on the first 14 entries of the IIWA train list (its Table 9).
PAPER_NUM_TRAIN = 14
_FAMILIES = ("iiwa", "default", "compositional", "holdout")
_PART_RE = re.compile(r"^(train|test|expert|middle)(\d*)$")


@cache
def _read(relpath: str) -> dict[str, tuple[Task, ...]]:
    root = resources.files("compogen.tasks") / "splits"
    path = root.joinpath(*relpath.split("/"))
    if not path.is_file():
        raise FileNotFoundError(relpath)
    raw = json.loads(path.read_text())
    return {part: tuple(COMPOSUITE_SPACE.task(*t) for t in tasks) for part, tasks in raw.items()}


def load_split(family: str, index: int = 0, element: str | None = None) -> dict[str, tuple[Task, ...]]:
    """One split file as ``{part: tasks}``, in CompoSuite's element names."""
    family = family.lower()
    if family not in _FAMILIES:
        raise UnknownTaskError(f"unknown split family {family!r}; valid: {', '.join(_FAMILIES)}")
    if family == "holdout":
        if element is None:
            raise UnknownTaskError("holdout splits need an element, e.g. holdout:IIWA:0:train")
        element = _holdout_element(element)
        rel = f"holdout/{element}_split_{index}.json"
    else:
        rel = f"{family}/split_{index}.json"
    try:
        return _read(rel)
    except FileNotFoundError:
        raise UnknownTaskError(f"no split {rel!r}; valid names: {', '.join(split_names())}") from None


def _holdout_element(name: str) -> str:
    root = resources.files("compogen.tasks") / "splits" / "holdout"
    elements = sorted({p.name.split("_split_")[0] for p in root.iterdir() if p.name.endswith(".json")})
    for e in elements:
        if e.lower() == name.lower():
            return e
    raise UnknownTaskError(f"no holdout split for element {name!r}; valid: {', '.join(elements)}")


def split_names() -> list[str]:
    """Examples of every split spec family, for help texts and errors."""
    root = resources.files("compogen.tasks") / "splits"
    names = ["all", "iiwa:train", "iiwa:train14", "iiwa:middle", "iiwa:test"]
    n_default = len([p for p in (root / "default").iterdir() if p.name.endswith(".json")])
    names += [f"default:0..{n_default - 1}:train|test", "compositional:0..9:train|test|expert"]
    names += [f"holdout:{e}:0..9:train|test" for e in ("Hollowbox", "IIWA", "ObjectWall", "PickPlace")]
    return names + ["SPEC@ELEMENT (SPEC's tasks with that element on its axis)"]


def translate(task: Task, space: TaskSpace) -> Task:
    """Map a task in CompoSuite's names onto ``space`` by element position."""
    if space == COMPOSUITE_SPACE:
        return task
    idx = COMPOSUITE_SPACE.element_indices(task)
    return Task(*(names[i] for names, i in zip(space.elements, idx, strict=True)))


def _with_element(item: str, space: TaskSpace) -> list[Task]:
    """``SPEC@ELEMENT``: SPEC's tasks with ELEMENT put on its axis (case-insensitive)."""
    spec, element = item.rsplit("@", 1)
    for axis, names in enumerate(space.elements):
        for name in names:
            if name.lower() == element.lower():
                return [Task(*(name if i == axis else e for i, e in enumerate(t))) for t in _resolve_one(spec, space)]
    valid = ", ".join(n for names in space.elements for n in names)
    raise UnknownTaskError(f"no element {element!r} in {item!r}; valid: {valid}")


def _resolve_one(item: str, space: TaskSpace) -> list[Task]:
    if "@" in item:
        return _with_element(item, space)
    if item.lower() == "all":
        return list(space)
    if ":" not in item:
        return [space.parse(item)]
    fields = item.split(":")
    family = fields[0].lower()
    try:
        if family == "iiwa":
            index, part = (0, fields[1]) if len(fields) == 2 else (int(fields[1]), fields[2])
            if len(fields) > 3:
                raise ValueError
            element = None
        elif family == "holdout":
            _, element, index, part = fields
            index = int(index)
        else:
            _, index, part = fields
            index, element = int(index), None
    except ValueError:
        raise UnknownTaskError(f"bad split spec {item!r}; valid forms: {', '.join(split_names())}") from None
    m = _PART_RE.match(part.lower())
    if not m:
        raise UnknownTaskError(f"bad split part {part!r} in {item!r}; valid: train, test, expert, middle (+ optional N)")
    name, count = m.group(1), m.group(2)
    parts = load_split(family, index, element)
    if name == "middle":
        if family != "iiwa":
            raise UnknownTaskError(f"'middle' is defined for the iiwa split only, not {item!r}")
        tasks = parts["train"][PAPER_NUM_TRAIN:]
    else:
        if name not in parts:
            raise UnknownTaskError(f"split {item!r} has no part {name!r}; it has: {', '.join(parts)}")
        tasks = parts[name]
    if count:
        n = int(count)
        if n > len(tasks):
            raise UnknownTaskError(f"{item!r} asks for {n} tasks but the list has {len(tasks)}")
        tasks = tasks[:n]
    return [translate(t, space) for t in tasks]


def resolve_tasks(spec: str | list[str], space: TaskSpace) -> list[Task]:
    """Resolve a split spec, task ids, or a list of them, to tasks of ``space``."""
    items = spec if isinstance(spec, (list, tuple)) else str(spec).split(",")
    out: list[Task] = []
    seen: set[Task] = set()
    for raw in items:
        item = str(raw).strip()
        if not item:
            continue
        for t in _resolve_one(item, space):
            if t not in seen:
                seen.add(t)
                out.append(t)
    if not out:
        raise UnknownTaskError(f"task spec {spec!r} selects no task")
    return out
