"""tradeline: trade-policy news → structured, queryable timeline of permits and controls."""

from pathlib import Path as _Path

__version__ = "0.1.0"

# Installed, flows/ extractors/ models/ warehouse/ sources/ sit inside this package (the
# package-dir map in pyproject.toml). In a source checkout they are this folder's siblings, and
# a checkout's `tradeline/` shadows the installed package whenever the checkout is on sys.path
# (pytest puts it there): the siblings are then found through the checkout, so the tests run
# against a plain `pip install .` too.
_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "extractors").is_dir():
    __path__.append(str(_checkout))  # type: ignore[name-defined]
del _Path, _checkout
