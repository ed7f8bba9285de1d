"""Dependencies run one way, read from every import in the code (also those inside functions),
without importing anything:

- ``cms`` and ``portal`` never import each other; both may import ``common``, which imports
  neither (nor Django);
- inside ``cms``, an app imports only its own modules and the apps of the layers below it, so the
  apps have no cycle; the entry points (URLs, settings, WSGI, management commands) sit on top;
- no two files import each other, however indirectly;
- no module imports another's private (underscore) names;
- README's "How the parts fit" shows these layers as :func:`layer_drawing` draws them.
"""

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cms", "portal", "common")
FORBIDDEN = {
    "cms": {"portal"},
    "portal": {"cms", "django", "wagtail", "rest_framework"},
    "common": {"cms", "portal", "django", "wagtail", "rest_framework"},
}

# The CMS's apps, lowest first. Apps in one layer do not import each other.
CMS_LAYERS = (
    ("domain",),  # the rules every app shares, plain Python
    ("core",),  # the site, the API's error shape, the gate, the read API, tasks, mail
    ("outbox",),  # every mail the platform sends, queued and sent with retries
    ("accounts", "record", "submissions"),
    ("policies",),
    ("guidance",),
    ("notices",),
    ("lessons", "objections", "consultation"),
    ("alerts",),  # e-mail alerts of what the apps below publish
)
LAYER_OF = {app: level for level, apps in enumerate(CMS_LAYERS) for app in apps}
PLAIN_PYTHON = {"domain"}  # imports neither Django nor any app


def is_entry_point(module: str) -> bool:
    """Modules nothing imports, free to import any app: they put the apps together."""
    parts = module.split(".")
    return parts[:2] in (["cms", "urls"], ["cms", "settings"], ["cms", "wsgi"]) or (
        len(parts) > 3 and parts[2:4] == ["management", "commands"]
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


MODULES = source_files()


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module an ``from ... import`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def project_module(dotted: str) -> str | None:
    """The longest known module that ``dotted`` names or lies in (a.b.c.name → a.b.c)."""
    parts = dotted.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(module: str) -> Iterator[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import in ``module``."""
    path = MODULES[module]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = resolve(module, node, path.name == "__init__.py")
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule, None) if submodule in MODULES else (base, alias.name)


def project_graph() -> dict[str, set[str]]:
    graph = {}
    for module in MODULES:
        targets = {project_module(target) for target, _ in imports_of(module)}
        graph[module] = {t for t in targets if t and t != module}
    return graph


GRAPH = project_graph()


def cms_app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "cms" and len(parts) > 1 and parts[1] in LAYER_OF else None


def layer_drawing() -> str:
    """The CMS's layers as README draws them, top first."""
    rows = ["entry points: cms/urls.py, cms/settings/, management commands"]
    rows += [" · ".join(apps) for apps in reversed(CMS_LAYERS)]
    rows[-1] += "  (plain Python)"
    width = max(len(row) for row in rows)
    return "\n".join(f"│ {row.ljust(width)} │" for row in rows)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_imports_what_it_must_not(package):
    wrong = {
        module: sorted(
            {target.split(".")[0] for target, _ in imports_of(module)} & FORBIDDEN[package]
        )
        for module in MODULES
        if module.split(".")[0] == package
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_every_cms_app_has_a_layer():
    apps = {p.name for p in (ROOT / "cms").iterdir() if (p / "__init__.py").exists()}
    assert apps - {"settings"} == set(LAYER_OF)


def test_cms_apps_import_only_the_layers_below():
    wrong = []
    for module, targets in GRAPH.items():
        app = cms_app(module)
        if app is None or is_entry_point(module):
            continue
        for target in sorted(targets):
            other = cms_app(target)
            if other is None:
                if target.split(".")[0] == "cms" and not is_entry_point(target):
                    continue  # cms/__init__.py
                if target.split(".")[0] == "cms":
                    wrong.append(f"{module} -> {target} (an entry point)")
            elif other != app and LAYER_OF[other] >= LAYER_OF[app]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_the_shared_rules_are_plain_python():
    allowed = {"cms", "cms.domain"}
    wrong = []
    for module in MODULES:
        if cms_app(module) not in PLAIN_PYTHON:
            continue
        for target, _ in imports_of(module):
            top = target.split(".")[0]
            if top in {"django", "wagtail", "rest_framework"} or (
                top in PACKAGES
                and not any(target == a or target.startswith(a + ".") for a in allowed)
            ):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_import_cycle_between_apps():
    graph: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        if (app := cms_app(module)) and not is_entry_point(module):
            graph.setdefault(app, set()).update(
                other for t in targets if (other := cms_app(t)) and other != app
            )
    graphlib.TopologicalSorter(graph).prepare()  # CycleError names the cycle


def test_no_import_cycle_between_files():
    try:
        graphlib.TopologicalSorter(GRAPH).prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


# Names with a leading underscore that are documented, public API.
PUBLIC_DESPITE_UNDERSCORE = {
    "os._exit",  # how a forked child ends without the parent's clean-ups (portal.forked)
}


def test_no_module_imports_private_names_of_another():
    wrong = []
    for module in MODULES:
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        module_aliases = {}
        for target, name in imports_of(module):
            if name and name.startswith("_") and not name.startswith("__"):
                wrong.append(f"{module} imports {target}.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    module_aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom):
                base = resolve(module, node, MODULES[module].name == "__init__.py")
                for alias in node.names:
                    if f"{base}.{alias.name}" in MODULES:
                        module_aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                used = f"{module_aliases[node.value.id]}.{node.attr}"
                if used not in PUBLIC_DESPITE_UNDERSCORE:
                    wrong.append(f"{module} uses {used}")
    assert sorted(set(wrong)) == []


def test_readme_draws_the_layers():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert layer_drawing() in readme, layer_drawing()
