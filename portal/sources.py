"""Pelican sources: what the exporter writes into ``content/generated/``, one JSON file a page.

Each holds ``metadata`` (Pelican's: title, slug, template, url, save_as, date) and ``cms``, the
page's data for its template, and is read by the ``cms_content`` plugin. In a dict of sources
being exported, :data:`UNCHANGED` stands for a page the exporter keeps as it is on disk.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .urls import page_file

GENERATED_DIR = "generated"

#: In a sources dict: a page the exporter keeps as it is on disk (an unchanged notice's page).
UNCHANGED = "unchanged"


def page_source(metadata: dict[str, Any], cms: dict[str, Any]) -> dict[str, Any]:
    """A page's source, written to its address's ``index.html``."""
    return {"metadata": {"save_as": page_file(metadata["url"]), **metadata}, "cms": cms}


def source_path(url: str) -> str:
    """The source file of the page at ``url``, relative to the generated directory."""
    return f"{url.strip('/')}.json"


def source_bytes(source: dict[str, Any]) -> bytes:
    return (json.dumps(source, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def load_sources(
    content_dir: Path, check: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Every source the exporter wrote (``content/generated``), in a stable order; ``check()``
    is called every few hundred files (what it raises stops the reading)."""
    generated = content_dir / GENERATED_DIR
    sources = []
    for count, path in enumerate(sorted(generated.rglob("*.json"))):
        if check is not None and count % 256 == 0:
            check()
        if not any(part.startswith(".") for part in path.relative_to(generated).parts):
            sources.append(json.loads(path.read_text(encoding="utf-8")))
    return sources
