"""compogen is not on PyPI: datasets and error messages say how to install it from its repository."""

from __future__ import annotations

import importlib
import sys
import warnings

import pytest
from packaging.requirements import Requirement

import compogen.install as inst
from compogen.errors import CompogenError
from compogen.publish import publish

from .conftest import BUILTIN_TASK, random_transitions

REMOTE = {
    "commit": "0123abc",
    "dirty": False,
    "remote": "https://github.com/lab/compogen",
    "permalink": "https://github.com/lab/compogen/tree/0123abc",
}
LOCAL = {"commit": None, "dirty": None, "remote": None, "permalink": "compogen 0.1.0 (no git checkout)"}


@pytest.mark.parametrize("code", [REMOTE, LOCAL])
def test_dataset_says_how_to_install_compogen(minari_root, monkeypatch, code):
    import minari

    pd = importlib.import_module("compogen.publish.datasets")
    monkeypatch.setattr(pd, "_code_provenance", lambda: dict(code))
    ds = minari.load_dataset(publish(random_transitions(5), BUILTIN_TASK))
    meta = ds.storage.metadata
    (req,) = meta["requirements"]
    Requirement(req)  # valid pip syntax, so Minari's advice `pip install "<req>"` is a command that works
    assert "not on PyPI" in meta["description"] and meta["compogen"]["install"] in meta["description"]
    if code["remote"]:
        assert req == "compogen @ git+https://github.com/lab/compogen@0123abc"
        assert 'pip install "compogen @ git+https://github.com/lab/compogen@0123abc"' in meta["compogen"]["install"]
        with warnings.catch_warnings():  # the installed compogen satisfies a direct reference: no failing advice
            warnings.simplefilter("error")
            ds.recover_environment().close()
    else:
        assert 'in a checkout of its git repository, pip install -e "."' in meta["compogen"]["install"]


def test_install_hint_names_the_repository(monkeypatch):
    monkeypatch.setattr(inst, "code_provenance", lambda: dict(REMOTE))
    assert inst.install_hint("ray").startswith('pip install "compogen[ray] @ git+https://github.com/lab/compogen@0123abc"')
    monkeypatch.setattr(inst, "code_provenance", lambda: dict(LOCAL))
    assert inst.install_hint("slurm") == 'compogen is not on PyPI: in a checkout of its git repository, pip install -e ".[slurm]"'


@pytest.mark.parametrize("module, make", [("ray", lambda ex: ex.RayExecutor()), ("submitit", lambda ex: ex.SubmititExecutor("/tmp/x"))])
def test_executor_extras_say_how_to_install_from_the_repository(monkeypatch, module, make):
    from compogen.loop import executor

    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(CompogenError, match="not on PyPI") as err:
        make(executor)
    assert 'pip install "compogen[' not in str(err.value) or "@ git+" in str(err.value)


def test_minari_remote_lookup_has_its_dependency():
    """`minari show compogen/<task>` without -vN asks Minari's remote; its module must import
    (without huggingface_hub it raised an ImportError traceback instead of Minari's own message)."""
    mod = importlib.import_module("minari.storage.remotes.huggingface")
    assert hasattr(mod, "HuggingFaceStorage")
