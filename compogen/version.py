"""compogen's version: the installed distribution's (``pyproject.toml`` is its one source).

Modules below the package root read it here, never from ``compogen`` itself (the root imports them).
"""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("compogen")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"
