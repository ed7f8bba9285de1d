"""Writes Pelican source files (JSON, read by the ``cms_content`` plugin) from the read API.

Each file holds ``metadata`` (Pelican's: title, slug, template, url, save_as, date) and ``cms``,
the page's data for its template. Rich text is cleaned here, once, at the boundary.
"""

import json
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import consultation, feeds, guidance, lessons, objections, selfcheck
from . import notices as notice_pages
from .cleaning import clean_html
from .client import CMSClient

GENERATED_DIR = "generated"
HOME_TYPE = "core.HomePage"
POLICY_INDEX_TYPE = "policies.PolicyIndexPage"
POLICY_TYPE = "policies.PolicyPage"


def policy_url(slug: str) -> str:
    return f"policies/{slug}/"


def _source(metadata: dict[str, Any], cms: dict[str, Any]) -> dict[str, Any]:
    url = metadata.get("url", "")
    metadata = {"save_as": f"{url}index.html" if url else "index.html", **metadata}
    return {"metadata": metadata, "cms": cms}


def _date(page: dict[str, Any]) -> str:
    return page["meta"].get("first_published_at") or "1970-01-01T00:00:00+00:00"


def policy_source(page: dict[str, Any]) -> dict[str, Any]:
    slug = page["meta"]["slug"]
    superseded = page.get("superseded_by_summary")
    cms = {
        "id": page["id"],
        "title": page["title"],
        "document_number": page.get("document_number") or "",
        "issuing_body": page["issuing_body"],
        "status": page["status"],
        "status_label": page["status_label"],
        "superseded_by": (
            {"title": superseded["title"], "url": policy_url(superseded["slug"])}
            if superseded
            else None
        ),
        "issue_date": page.get("issue_date"),
        "effective_date": page.get("effective_date"),
        "preamble": page.get("preamble") or "",
        "outline": page.get("outline") or [],
        "interpretation_html": clean_html(page.get("interpretation")),
        **consultation.consultation(page),
    }
    metadata = {
        "title": page["title"],
        "slug": slug,
        "template": "policy",
        "url": policy_url(slug),
        "date": _date(page),
    }
    return _source(metadata, cms)


def policy_index_source(index: dict[str, Any], policies: Iterable[dict[str, Any]]) -> dict:
    entries = [
        {
            "title": source["cms"]["title"],
            "url": source["metadata"]["url"],
            "status_label": source["cms"]["status_label"],
            "document_number": source["cms"]["document_number"],
            "issue_date": source["cms"]["issue_date"],
        }
        for source in policies
    ]
    metadata = {
        "title": index["title"],
        "slug": "policies",
        "template": "policy_index",
        "url": "policies/",
        "date": _date(index),
    }
    return _source(metadata, {"introduction": index.get("introduction") or "", "policies": entries})


def home_source(
    home: dict[str, Any],
    policies: Iterable[dict[str, Any]],
    under_publicity: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The home page: its introduction, the policies, and the latest notices under publicity."""
    metadata = {"title": home["title"], "slug": "home", "template": "home", "url": ""}
    metadata["date"] = _date(home)
    featured = [
        {
            "title": s["cms"]["title"],
            "url": s["metadata"]["url"],
            "status_label": s["cms"]["status_label"],
        }
        for s in policies
    ]
    latest = [
        {
            "title": notice["title"],
            "url": notice["url"],
            "notice_number": notice["notice_number"],
            "dates_zh": notice["window"]["dates_zh"],
            "days_left": notice["window"]["days_left"],
            "handling_body": notice["handling_body"],
        }
        for notice in under_publicity[: notice_pages.HOME_NOTICE_COUNT]
    ]
    listings = [
        {"title": listing["title"], "url": listing["url"]}
        for listing in notice_pages.LISTINGS.values()
    ]
    cms = {
        "introduction": home.get("introduction") or "",
        "policies": featured,
        "under_publicity": latest,
        "under_publicity_total": len(under_publicity),
        "listings": listings,
    }
    return _source(metadata, cms)


def collect_sources(client: CMSClient) -> dict[str, dict[str, Any]]:
    """Every generated source file, keyed by its path relative to the generated directory."""
    policies = sorted(
        (policy_source(page) for page in client.pages_of_type(POLICY_TYPE)),
        key=lambda source: (source["cms"]["issue_date"] or "", source["cms"]["id"]),
        reverse=True,
    )
    sources = {f"policies/{s['metadata']['slug']}.json": s for s in policies}
    consultation.add_comment_forms(policies, client)
    for index in client.pages_of_type(POLICY_INDEX_TYPE):
        sources["policies.json"] = policy_index_source(index, policies)
    objection_form = objections.fetch_form(client)
    notice_index = next(iter(client.pages_of_type(notice_pages.NOTICE_INDEX_TYPE)), None)
    notice_pages_data = client.notices()
    notice_sources, under_publicity = notice_pages.notice_collection_sources(
        notice_pages_data,
        notice_index,
        objection_form=objection_form,
    )
    # When each notice was published and last changed: for feeds, sitemap and JSON-LD.
    feeds.add_notice_dates(notice_sources, notice_pages_data)
    sources.update(notice_sources)
    sources.update(objections.page_sources(objection_form))
    sources.update(guidance.sources(client))
    sources.update(selfcheck.sources(client))
    sources.update(lessons.sources(client))
    for home in client.pages_of_type(HOME_TYPE):
        sources["home.json"] = home_source(home, policies, under_publicity)
    return sources


def write_sources(sources: dict[str, dict[str, Any]], content_dir: Path) -> Path:
    """Writes the sources into a fresh directory, then puts it in place of the old one."""
    target = content_dir / GENERATED_DIR
    staging = content_dir / f".{GENERATED_DIR}.new"
    shutil.rmtree(staging, ignore_errors=True)
    for relative, source in sources.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(source, ensure_ascii=False, indent=1, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")
    staging.mkdir(parents=True, exist_ok=True)
    previous = content_dir / f".{GENERATED_DIR}.old"
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    return target


class ExportError(RuntimeError):
    """The CMS answered, but with data the exporter cannot publish (nothing is written)."""


def export(client: CMSClient, content_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        sources = collect_sources(client)
    except (notice_pages.NoticeDataError, objections.ObjectionSchemaError) as exc:
        raise ExportError(str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportError(f"Unexpected data from the CMS: {exc!r}") from exc
    write_sources(sources, content_dir)
    return sources
