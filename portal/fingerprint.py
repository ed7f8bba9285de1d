"""The one fingerprint of the code that shapes the portal's output.

An incremental build reuses the pages and notice sources of the last build only while this is
unchanged: the portal's own code and ``common/``, Python's version and the versions of every
package that renders, cleans or formats what the site holds. After an upgrade of any of them the
next build is a full one, so no site mixes pages made by old and new versions.
"""

import hashlib
import os
import sys
from importlib import metadata
from pathlib import Path

PORTAL_DIR = Path(__file__).resolve().parent
#: The portal's code and the shared code it builds with (the HTML cleaner, addresses).
CODE_DIRS = (PORTAL_DIR, PORTAL_DIR.parent / "common")

#: Distributions whose version can change a built byte: Pelican and its Jinja2, Markdown and
#: Pygments, the feeds, the calendar, the cleaner, the search index, the charts (and the XML
#: library they are serialised with).
SHAPING_PACKAGES = (
    "pelican", "jinja2", "markupsafe", "markdown", "pygments", "feedgen", "icalendar", "bleach",
    "pagefind", "pagefind-bin-extended", "pygal", "lxml",
)  # fmt: skip


# The versions as last read, with the state of the import path they were read from.
_read: tuple[tuple, dict[str, str]] | None = None


def _import_path_state() -> tuple:
    """Each directory of the import path with its modification time: installing, upgrading or
    removing a package adds or renames its metadata directory there, which changes it."""
    state = []
    for entry in sys.path:
        try:
            state.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            state.append((entry, None))
    return tuple(state)


def package_versions() -> dict[str, str]:
    """Each shaping package's installed version ("absent" when it is not installed). Read again
    only when the import path changed: reading them walks it (tens of milliseconds), and the
    resident builder asks for every build."""
    global _read
    state = _import_path_state()
    if _read is not None and _read[0] == state:
        return dict(_read[1])
    versions = {}
    for name in SHAPING_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    _read = (state, versions)
    return dict(versions)


def code_version() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name, version in sorted(package_versions().items()):
        digest.update(f"\0{name}=={version}".encode())
    for directory in CODE_DIRS:
        for path in sorted(directory.rglob("*.py")):
            digest.update(f"\0{path.relative_to(directory.parent)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
