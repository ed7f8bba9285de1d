"""What every page needs besides its own source: the feeds it links to, the build time it states,
the open-data columns the 开放数据 page documents, the site's identity its footer shows (and its
header names the sponsor from), and its JSON-LD; and the files every site has at its root
(``SITE_ROOT_FILES``: favicon.ico), copied there on every Pelican run.

Each page still depends only on its own source, the settings and the site's identity (kept by
the export in the content directory, and in the build's fingerprint), so a source renders to the
same bytes in whichever Pelican run (see :mod:`portal.render`). The feeds and data files themselves
are written by the build step (:func:`portal.opendata.write_site_outputs`), which sees every
source.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

from pelican import signals

from portal import feeds, jsonld, opendata, site_identity
from portal.dates import LOCAL_TZ, built_at_zh
from portal.files import replace_file, walk_files
from portal.sitewide import absolute_base
from portal.urls import WINDOWS_ICS


def built_at(value: str | None = None) -> datetime:
    """The build's time: ``PORTAL_BUILT_AT`` (ISO 8601) when set, else now; in Asia/Shanghai."""
    value = value if value is not None else os.environ.get("PORTAL_BUILT_AT", "")
    moment = datetime.fromisoformat(value) if value else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ).replace(second=0, microsecond=0)


def configure(pelican) -> None:
    settings = pelican.settings
    moment = built_at(settings.get("PORTAL_BUILT_AT") or None)
    settings["BUILT_AT"] = moment.isoformat()
    settings["BUILT_AT_ZH"] = built_at_zh(moment)
    settings["PORTAL_FEEDS"] = feeds.feed_links()
    settings["PORTAL_CALENDAR"] = WINDOWS_ICS
    settings["PORTAL_ABSOLUTE_URL"] = absolute_base(settings).rstrip("/")
    settings["OPEN_DATA"] = opendata.page_info()
    # The footer's identity and contact details; the sponsor also heads every page.
    identity = site_identity.read(Path(settings["PATH"]))
    settings["SITE_IDENTITY"] = identity
    settings["SITESUBTITLE"] = identity["sponsor"]
    settings.setdefault("JINJA_FILTERS", {})["jsonld"] = jsonld.jsonld_dumps


def attach_jsonld(content) -> None:
    content.jsonld = jsonld.page_jsonld(
        getattr(content, "template", ""),
        getattr(content, "metadata", {}).get("cms"),
        getattr(content, "url", ""),
        getattr(content, "date", None),
        content.settings,
    )


def copy_root_files(pelican) -> None:
    """The files of ``SITE_ROOT_FILES`` (e.g. favicon.ico) into the output's root. Each is written
    by a new name and renamed into place: an output that shares files with another build through
    hard links never has one rewritten."""
    source = pelican.settings.get("SITE_ROOT_FILES")
    if not source:
        return
    for name, entry in sorted(walk_files(source).items()):
        if "/" not in name:
            replace_file(Path(pelican.output_path) / name, Path(entry.path).read_bytes())


def register():
    signals.initialized.connect(configure)
    signals.content_object_init.connect(attach_jsonld)
    signals.finalized.connect(copy_root_files)
