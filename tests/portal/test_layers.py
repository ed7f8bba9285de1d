"""The portal's modules import one way: from the CMS's answers, through the modules that make
them into sources, to the export, then rendering and the build. Read from the code itself (every
import, also one inside a function), without importing anything."""

import ast
import graphlib
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
FORBIDDEN = {"cms", "django", "wagtail", "rest_framework"}  # the portal reads the CMS over HTTP

# In the order data flows; a module imports only modules of its own stage or of one before it.
STAGES = (
    # What everything builds on: addresses, dates, files, text, the sources' shape, the client.
    # And where the portal lives, what the resident builder holds, work forked beside a build.
    {"urls", "dates", "files", "text", "sources", "client", "fingerprint", "paths", "warm",
     "forked"},
    # The CMS's answers made into sources and site-wide data.
    {
        "record", "objections", "consultation", "selfcheck", "guidance", "notices", "listings",
        "lessons", "record_pages", "notice_store", "sitewide", "feeds", "opendata", "jsonld",
        "statistics", "charts", "statistics_pages", "site_identity", "site_map",
    },
    {"export"},
    # Rendering, the build, Pelican's plugins; publishing and checking a built site.
    {
        "render", "search", "builds", "phases", "build", "plugins", "plugins.cms_content",
        "plugins.cms_content.reader", "plugins.site_data", "site_files", "storage", "releases",
        "publish", "verify", "preview", "builder", "__main__",
    },
)  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PORTAL).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def portal_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PORTAL.rglob("*.py"))}


def imports_of(name: str, tree: ast.AST, known: set[str], is_package: bool = False):
    """(portal modules, other top-level packages) that ``tree`` imports, at any depth."""
    inside, outside = set(), set()
    package = name.split(".") if is_package else name.split(".")[:-1]

    def add(dotted: str) -> None:
        parts = dotted.split(".")
        if parts[0] == "portal":
            parts = parts[1:]
        else:
            outside.add(parts[0])
            return
        while parts and ".".join(parts) not in known:
            parts.pop()
        inside.add(".".join(parts))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = (node.module or "").split(".") if node.module else []
            if node.level:
                base = ["portal", *package[: len(package) - node.level + 1], *base]
            for alias in node.names:
                submodule = ".".join([*base, alias.name])
                add(submodule if submodule.removeprefix("portal.") in known else ".".join(base))
    inside.discard(name)
    inside.discard("")  # the package itself (portal/__init__.py)
    return inside, outside


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    modules = portal_modules()
    known = set(modules)
    inside, outside = {}, {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        inside[name], outside[name] = imports_of(name, tree, known, is_package)
    return inside, outside


def test_the_scan_sees_imports_inside_functions_and_relative_ones():
    tree = ast.parse(
        "from . import feeds\nfrom .notices import x\n"
        "def f():\n    from .export import policy_url\n    import django.conf\n"
    )
    inside, outside = imports_of("guidance", tree, {"feeds", "notices", "export", "guidance"})
    assert inside == {"feeds", "notices", "export"}
    assert outside == {"django"}


def test_the_portal_never_imports_the_cms_or_django():
    _, outside = graph()
    found = {name: sorted(packages & FORBIDDEN) for name, packages in outside.items()}
    assert {name: packages for name, packages in found.items() if packages} == {}


def test_no_import_cycles_between_the_portals_modules():
    inside, _ = graph()
    try:
        graphlib.TopologicalSorter(inside).prepare()
    except graphlib.CycleError as exc:
        raise AssertionError(f"import cycle: {' → '.join(exc.args[1])}") from None


def test_no_module_imports_one_of_a_later_stage():
    inside, _ = graph()
    stage = {name: number for number, names in enumerate(STAGES) for name in names}
    unplaced = sorted(set(inside) - set(stage) - {""})
    assert unplaced == [], f"put each new module of portal/ in one of STAGES: {unplaced}"
    upward = sorted(
        f"{name} (stage {stage[name]}) imports {other} (stage {stage[other]})"
        for name, others in inside.items()
        if name
        for other in others
        if stage[other] > stage[name]
    )
    assert upward == []
