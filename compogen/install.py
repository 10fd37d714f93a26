"""How to install compogen, which is not on PyPI: from its git repository.

:func:`code_provenance` finds the checkout compogen runs from (commit, web address of its remote);
:func:`requirement` is the pip requirement a published dataset names, :func:`install_hint` the line
that error messages about optional extras print.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["code_provenance", "git", "install_hint", "requirement", "web_url"]

_PKG = Path(__file__).resolve().parent  # the compogen package folder


def git(*args: str, cwd: str | Path | None = None) -> str | None:
    """``git args`` output, or None when git is missing, fails or prints nothing."""
    try:
        r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    out = r.stdout.strip()
    return out if r.returncode == 0 and out else None


def web_url(remote: str) -> str | None:
    """A git remote as a web address without credentials (``git@github.com:o/r.git`` ->
    ``https://github.com/o/r``), or None when it is not a network remote.

    >>> web_url("git@github.com:org/compogen.git"), web_url("https://user:token@gitlab.com/org/compogen.git/")
    ('https://github.com/org/compogen', 'https://gitlab.com/org/compogen')
    >>> web_url("/srv/git/compogen") is None
    True
    """
    m = re.fullmatch(r"(?:ssh://)?[\w.-]+@([^:/]+)[:/](.+?)(?:\.git)?/?", remote)
    if m:
        return f"https://{m[1]}/{m[2]}"
    m = re.fullmatch(r"(https?)://(?:[^@/]+@)?([^/]+)/(.+?)(?:\.git)?/?", remote)
    return f"{m[1]}://{m[2]}/{m[3]}" if m else None


def code_provenance() -> dict[str, Any]:
    """compogen's own code: ``{"commit", "dirty", "remote", "permalink"}`` from the git checkout it runs
    from (None values when it is an installed package), and a permalink for Minari."""
    from compogen.version import __version__

    tracked = git("ls-files", "--error-unmatch", "__init__.py", cwd=_PKG) is not None
    commit = git("rev-parse", "HEAD", cwd=_PKG) if tracked else None
    remote = None
    if commit:
        names = (git("remote", cwd=_PKG) or "").split()
        name = "origin" if "origin" in names else (names[0] if names else None)
        remote = web_url(git("remote", "get-url", name, cwd=_PKG) or "") if name else None
    dirty = None
    if commit:
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "."], cwd=_PKG, capture_output=True, check=False, timeout=10).returncode != 0
    if remote and commit:
        permalink = f"{remote}/tree/{commit}"
    elif commit:
        permalink = f"compogen {__version__}, commit {commit[:12]} (no git remote)"
    else:
        permalink = f"compogen {__version__} (no git checkout)"
    return {"commit": commit, "dirty": dirty, "remote": remote, "permalink": permalink}


def requirement(extra: str | None = None, code: dict[str, Any] | None = None) -> str:
    """The pip requirement for compogen: a direct reference to its repository at this commit when the
    checkout has a network remote (``compogen @ git+https://github.com/o/r@<commit>``), else
    ``compogen>=<version>`` (then :func:`install_hint` says where to get it: it is not on PyPI).

    >>> requirement("ray", {"remote": "https://github.com/o/compogen", "commit": "abc"})
    'compogen[ray] @ git+https://github.com/o/compogen@abc'
    """
    from compogen.version import __version__

    code = code_provenance() if code is None else code
    name = f"compogen[{extra}]" if extra else "compogen"
    if code.get("remote") and code.get("commit"):
        return f"{name} @ git+{code['remote']}@{code['commit']}"
    return f"{name}>={__version__}"


def install_hint(extra: str | None = None, code: dict[str, Any] | None = None) -> str:
    """How to install compogen (with ``extra``) from its repository, in one line.

    >>> install_hint("ray", {"remote": "https://github.com/o/compogen", "commit": "abc"})
    'pip install "compogen[ray] @ git+https://github.com/o/compogen@abc" (compogen is not on PyPI; or, in a checkout of https://github.com/o/compogen: pip install -e ".[ray]")'
    >>> install_hint(None, {"remote": None, "commit": None})
    'compogen is not on PyPI: in a checkout of its git repository, pip install -e "."'
    """
    code = code_provenance() if code is None else code
    local = f'pip install -e ".[{extra}]"' if extra else 'pip install -e "."'
    if code.get("remote") and code.get("commit"):
        return f'pip install "{requirement(extra, code)}" (compogen is not on PyPI; or, in a checkout of {code["remote"]}: {local})'
    return f"compogen is not on PyPI: in a checkout of its git repository, {local}"
