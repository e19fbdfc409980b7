#!/usr/bin/env python
"""Report what the bokmål, nynorsk and English catalogues still lack. Run it before committing:

    .venv/bin/python scripts/translations_status.py          # exit 0 only when all is complete
    .venv/bin/python scripts/translations_status.py --no-extract   # skip the code scan (faster)

Per language it lists
  missing       msgids the code has now (makemessages run in a temporary copy of the repository,
                so the working tree is not touched) that the committed .po file lacks;
  untranslated  entries with an empty msgstr, or fuzzy ones (a guess by msgmerge, never shown);
  obsolete      "#~" entries left behind (makemessages --no-obsolete removes them);
  stale .mo     the compiled file does not match the .po (run compilemessages).
To fix: `make messages`, translate what is listed (en: msgstr = msgid), `make messages` again.
tests/partnerskap/test_translations.py uses the same functions, so CI fails on the same findings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nb", "nn", "en")
# Passed to makemessages here and in the Makefile's `messages` target.
IGNORE = (".venv", "static/vendor", "node_modules", "var")
# Not copied for the code scan: environments, data, caches, third-party assets, the catalogues.
_NOT_COPIED_NAMES = {
    ".venv",
    ".git",
    "var",
    "node_modules",
    "staticfiles",
    "bench-results",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "locale",
}
_NOT_COPIED_PATHS = {Path("static/vendor")}


def po_path(language: str, root: Path = ROOT) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def key(entry: polib.POEntry) -> str:
    """gettext's own key: context and msgid joined by EOT, so the same msgid in two contexts differ."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


def show(k: str) -> str:
    if "\x04" in k:
        context, msgid = k.split("\x04", 1)
        return f"{msgid!r} (context {context!r})"
    return repr(k)


def is_translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def translated_keys(po: polib.POFile) -> set[str]:
    return {key(e) for e in po if is_translated(e)}


def untranslated(po: polib.POFile) -> list[str]:
    return [key(e) for e in po if not e.obsolete and not is_translated(e)]


def extract_keys(workdir: Path, root: Path = ROOT, python: str = sys.executable) -> set[str]:
    """Every msgid makemessages extracts from the code in `root`, as keys.

    The tree is copied to `workdir` (which must not exist yet) without the catalogues, and
    makemessages --keep-pot runs there, so nothing in `root` changes. Needs xgettext on PATH.
    """

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory).relative_to(root)
        return {n for n in names if n in _NOT_COPIED_NAMES or here / n in _NOT_COPIED_PATHS}

    shutil.copytree(root, workdir, ignore=ignore, symlinks=True)
    (workdir / "locale").mkdir()
    command = [python, "manage.py", "makemessages", "-l", "nb", "--keep-pot", "-v", "0"]
    command += [f"--ignore={pattern}" for pattern in IGNORE]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # A fixed argument list with our own interpreter, no shell.
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"makemessages failed in {workdir}:\n{result.stdout}{result.stderr}")
    return {key(e) for e in polib.pofile(str(workdir / "locale" / "django.pot")) if e.msgid}


def compiled(entries) -> dict[str, object]:
    """msgid key -> msgstr (or plural forms) for the entries a .mo file holds."""
    table: dict[str, object] = {}
    for e in entries:
        if not e.msgid:  # the header
            continue
        table[key(e)] = dict(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
    return table


def mo_is_current(language: str, root: Path = ROOT) -> bool:
    """The committed .mo holds exactly what the .po would compile to (msgfmt skips fuzzy ones)."""
    po_file = po_path(language, root)
    mo_file = po_file.with_suffix(".mo")
    if not mo_file.exists():
        return False
    po = polib.pofile(str(po_file))
    wanted = compiled(e for e in po if is_translated(e))
    return compiled(polib.mofile(str(mo_file))) == wanted


def report(extract: bool) -> int:
    code_keys: set[str] | None = None
    if extract:
        if shutil.which("xgettext") is None:
            print("xgettext not found (apt-get install gettext); skipping the code scan.")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                code_keys = extract_keys(Path(tmp) / "repo")
    problems = 0
    for language in LANGUAGES:
        path = po_path(language)
        if not path.exists():
            print(f"[{language}] {path.relative_to(ROOT)} does not exist: run `make messages`.")
            problems += 1
            continue
        po = polib.pofile(str(path))
        sections = {
            "missing": sorted(code_keys - {key(e) for e in po}) if code_keys is not None else [],
            "untranslated": untranslated(po),
            "obsolete": [key(e) for e in po.obsolete_entries()],
        }
        total = len([e for e in po if not e.obsolete])
        print(f"[{language}] {total} entries, {po.percent_translated()}% translated")
        for title, keys in sections.items():
            if keys:
                problems += len(keys)
                print(f"  {title} ({len(keys)}):")
                for k in keys:
                    print(f"    {show(k)}")
        if not mo_is_current(language):
            problems += 1
            print("  stale .mo: run `make messages` (or manage.py compilemessages)")
    print("complete" if problems == 0 else f"{problems} problem(s)")
    return 0 if problems == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--no-extract",
        action="store_true",
        help="do not scan the code for msgids missing from the catalogues",
    )
    return report(extract=not parser.parse_args().no_extract)


if __name__ == "__main__":
    sys.exit(main())
