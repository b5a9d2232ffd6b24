"""The journeys, the rules and the move table are pure: no web framework, no database.

`portal/flows/` and `portal/stages.py` import neither Flask (nor Flask-Babel) nor SQLAlchemy,
directly or through another portal module they import, so they can be tested with tables and
reused anywhere. Their words are marked with `portal/translatable.py`, translated by the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"flask", "flask_babel", "flask_wtf", "sqlalchemy", "werkzeug"}
PURE = sorted(
    [*(ROOT / "portal" / "flows").glob("*.py"), ROOT / "portal" / "stages.py"]
    + [ROOT / "portal" / "translatable.py", ROOT / "portal" / "timescales.py"]
)


def _module_file(name: str) -> Path | None:
    """Return the file of a portal module, or None for anything outside the project."""
    if name != "portal" and not name.startswith("portal."):
        return None
    parts = name.split(".")
    as_module = ROOT.joinpath(*parts).with_suffix(".py")
    if as_module.exists():
        return as_module
    package = ROOT.joinpath(*parts, "__init__.py")
    return package if package.exists() and name != "portal" else None


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            # `from portal import fields` imports the module portal.fields
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _everything_imported(start: Path) -> dict[str, Path]:
    """Every module `start` imports, following portal modules; each with the file that did."""
    seen: dict[str, Path] = {}
    todo = [start]
    visited: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in visited:
            continue
        visited.add(path)
        for name in _imports(path):
            seen.setdefault(name, path)
            module = _module_file(name)
            if module is not None:
                todo.append(module)
    return seen


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pure_modules_import_no_web_framework_or_database(path):
    imported = _everything_imported(path)
    bad = {
        name: str(by.relative_to(ROOT))
        for name, by in imported.items()
        if name.split(".")[0] in FORBIDDEN
    }
    assert not bad, f"{path.relative_to(ROOT)} reaches {bad}"


def test_the_check_sees_an_import_when_there_is_one(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from flask_babel import lazy_gettext as _l\nimport sqlalchemy.orm\n")
    assert {"flask_babel", "sqlalchemy.orm"} <= set(_everything_imported(module))


def test_the_flows_mark_their_words_with_the_pure_lazy_string():
    from portal.flows.complaint import WHO
    from portal.translatable import LazyText

    assert isinstance(WHO.prompt, LazyText)
    assert str(WHO.prompt) == "Who are you?", "English as written outside the app"
