"""The house rules that keep the apps apart (README «How the code is laid out»):
partnerskap ← tiltak ← {hoering, rapportering}. Read from the source with `ast`, so an import
inside a function counts too."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# app → the apps it must never import
FORBIDDEN = {
    "partnerskap": {"tiltak", "hoering", "rapportering"},
    "tiltak": {"hoering", "rapportering"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _sources(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_no_app_imports_upwards(app):
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources(app)
        for name in _imports(path) & FORBIDDEN[app]
    }
    assert not offenders, sorted(offenders)


def test_tiltak_templates_never_name_the_apps_that_build_on_it():
    for template in (ROOT / "templates" / "tiltak").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for app in ("hoering:", "rapportering:", "hoering/", "rapportering/"):
            assert app not in text, f"{template.relative_to(ROOT)} names {app}"


def test_there_is_one_view_guard():
    """No view module keeps a guard of its own: they use partnerskap.access."""
    for path in _sources("tiltak") + _sources("partnerskap"):
        if path.name == "access.py" or "views" not in str(path.relative_to(ROOT)):
            continue
        text = path.read_text(encoding="utf-8")
        assert "redirect_to_login" not in text, path.relative_to(ROOT)


def test_no_module_re_exports_names_through___all__():
    for app in ("partnerskap", "tiltak"):
        for path in _sources(app):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"^__all__\s*=", text, re.M), path.relative_to(ROOT)
