"""The three packages depend one way: ``cms`` and ``portal`` never import each other, and both
may import ``common``, which imports neither (nor Django). Read from every import in the code,
also those inside functions."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "cms": {"portal"},
    "portal": {"cms", "django", "wagtail", "rest_framework"},
    "common": {"cms", "portal", "django", "wagtail", "rest_framework"},
}


def top_level_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_what_it_must_not(package):
    wrong = {
        str(path.relative_to(ROOT)): sorted(top_level_imports(path) & FORBIDDEN[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {path: names for path, names in wrong.items() if names} == {}
