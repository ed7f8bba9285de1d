"""The JSON-LD of notice pages (schema.org ``Article``) and policy-type pages (``Legislation``),
made from the page's own data while Pelican renders it; the theme prints it with
:func:`jsonld_dumps`."""

import json
from datetime import datetime
from typing import Any

from markupsafe import Markup

from .dates import EPOCH, instant, iso, notice_published, notice_updated
from .sitewide import LANGUAGE, NOTICE_TEMPLATE, POLICY_TEMPLATES, Site, absolute_base

SCHEMA_ORG = "https://schema.org"

# schema.org's LegalForceStatus for each policy status: a draft for comments and a revised or
# repealed document are not (or no longer) in force.
LEGAL_FORCE = {
    "draft_for_comments": "NotInForce",
    "trial": "InForce",
    "in_force": "InForce",
    "revised": "NotInForce",
    "repealed": "NotInForce",
}


def _organisation(name: str) -> dict[str, str]:
    return {"@type": "GovernmentOrganization", "name": name}


def notice_jsonld(cms: dict[str, Any], base_url: str, publisher: str) -> dict[str, Any]:
    """A decision notice as a schema.org Article: its number, dates, publisher and window."""
    site = Site(base_url=base_url, name="", publisher=publisher)
    window = cms["window"]
    url = site.absolute(cms["url"])
    data: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Article",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": cms["title"],
        "name": cms["title"],
        "inLanguage": LANGUAGE,
        "datePublished": notice_published(cms),
        "dateModified": notice_updated(cms),
        "publisher": _organisation(publisher),
        "author": _organisation(publisher),
        "creativeWorkStatus": cms["state_label"],
        "temporalCoverage": f"{window['start_date']}/{window['end_date']}",
        "description": window["label"],
    }
    if cms.get("notice_number"):
        data["identifier"] = cms["notice_number"]
    if cms.get("handling_body"):
        data["sourceOrganization"] = _organisation(cms["handling_body"])
    corrections = [site.absolute(c["url"]) for c in cms.get("corrected_by") or [] if c["url"]]
    if corrections:
        data["correction"] = corrections
    return data


def policy_jsonld(
    cms: dict[str, Any], url: str, published: str, base_url: str, publisher: str
) -> dict[str, Any]:
    """A policy-type page as schema.org Legislation: 文号, dates, issuer and legal force."""
    site = Site(base_url=base_url, name="", publisher=publisher)
    absolute = site.absolute(url)
    data: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Legislation",
        "@id": absolute,
        "url": absolute,
        "name": cms["title"],
        "inLanguage": LANGUAGE,
        "legislationJurisdiction": "浙江省",
        "legislationPassedBy": _organisation(cms.get("issuing_body") or publisher),
        "publisher": _organisation(publisher),
        "datePublished": published,
        "creativeWorkStatus": cms["status_label"],
    }
    if cms.get("last_published_at"):
        data["dateModified"] = iso(instant(cms["last_published_at"]))
    if cms.get("document_number"):
        data["legislationIdentifier"] = cms["document_number"]
    if cms.get("issue_date"):
        data["legislationDate"] = cms["issue_date"]
    if cms.get("effective_date"):
        data["legislationDateOfApplicability"] = cms["effective_date"]
    force = LEGAL_FORCE.get(cms.get("status", ""))
    if force:
        data["legislationLegalForce"] = f"{SCHEMA_ORG}/{force}"
    return data


def page_jsonld(template: str, cms: Any, url: str, date: Any, settings: dict) -> dict | None:
    """The JSON-LD for a page, by its template; None for pages that carry none."""
    if not isinstance(cms, dict):
        return None
    base, publisher = absolute_base(settings), str(settings.get("AUTHOR") or "")
    if template == NOTICE_TEMPLATE:
        return notice_jsonld(cms, base, publisher)
    if template in POLICY_TEMPLATES:
        published = iso(date) if isinstance(date, datetime) else iso(EPOCH)
        return policy_jsonld(cms, url, published, base, publisher)
    return None


def jsonld_dumps(data: Any) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped, so no
    ``</script>`` or ``<!--`` in the data can end or change the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for a script data block
