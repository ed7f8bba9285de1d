"""Open data and the other site-wide files, written into a fresh build after Pelican rendered it.

- ``data/decisions.json`` and ``data/decisions.csv`` (UTF-8 with a BOM, for Excel): every
  decision item of every notice on the portal, one row each, with the columns in
  :data:`COLUMNS` (documented on the ``data/`` page). Fields are picked by name from the exported
  page data, so nothing else the API might send (an expert panel, an objector) can get in.
  ``decisions.json`` also holds under ``notices`` each notice's canonical public data, whose
  hash is in its last 公示记录 entry (published whole, so the exporter refuses one that carries
  a field the contract does not name: :func:`portal.notices.record_data`).
- ``record/``: the public record's entries and head (and signature), from :mod:`portal.record`.
- ``data/statistics.json`` and ``data/statistics.csv``: the figures of the statistics page
  (:mod:`portal.statistics`), one row per number, from the page's own source.
- ``data/windows.ics``: one event per notice under publicity (or approved and waiting), on the
  last day of its window and ending at the CMS's closing instant, in Asia/Shanghai time (TZID,
  with its VTIMEZONE). Written with the ``icalendar`` package (RFC 5545: CRLF, folded lines).
- ``sitemap.xml``: every HTML page of the build, with ``lastmod`` where the data dates it, and
  ``robots.txt`` (allow all, pointing at the sitemap's absolute address).
- the feeds of :mod:`portal.feeds`.

Each file is written to a new name and renamed into place: a build may start as a hard-linked
copy of the live one, whose files must never be rewritten. Nothing depends on the build's clock,
so the same sources give the same bytes.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from common.spreadsheet import neutralise_row

from . import feeds, record
from .dates import LOCAL_TZ, instant, notice_published, notice_updated, source_updated
from .files import replace_file, walk_files
from .sitewide import STATISTICS_TEMPLATE, Site
from .sources import load_sources
from .statistics import DATA_COLUMN_NAMES, DATA_COLUMNS, NOTES
from .urls import (
    DATA_URL,
    DECISIONS_CSV,
    DECISIONS_JSON,
    RECORD_URL,
    ROBOTS,
    SITEMAP,
    STATISTICS_CSV,
    STATISTICS_JSON,
    STATISTICS_URL,
    WINDOWS_ICS,
    url_of_file,
)

# Notices whose window is ahead or running: the ones the calendar lists.
CALENDAR_STATES = ("approved", "under_publicity")

# (name, 中文, English, 说明, description). The order is the CSV's.
COLUMNS = (
    ("item_id", "事项编号", "Item ID",
     "认定事项在本平台的编号，唯一且不变。",
     "The decision item's id on this platform: unique and stable."),
    ("notice_number", "公告编号", "Notice number",
     "决定公告的编号。", "The decision notice's number."),
    ("notice_title", "公告标题", "Notice title",
     "决定公告的标题。", "The decision notice's title."),
    ("window_start", "公示开始日期", "Publicity window start",
     "公示首日，格式 YYYY-MM-DD（北京时间）。",
     "First day of the publicity window, YYYY-MM-DD (Asia/Shanghai)."),
    ("window_end", "公示结束日期", "Publicity window end",
     "公示最后一日，格式 YYYY-MM-DD；当日24时（北京时间）截止受理异议。",
     "Last day of the window, YYYY-MM-DD; objections close at the end of that day "
     "(Asia/Shanghai)."),
    ("state", "公告状态代码", "Notice state code",
     "under_publicity 公示中；closed 公示结束；finalised 已确认结果；corrected 已更正；"
     "withdrawn 已撤回。以本站生成时为准。",
     "under_publicity, closed, finalised, corrected or withdrawn, as of the site's build."),
    ("state_label", "公告状态", "Notice state", "公告状态的中文名称。",
     "The notice state in Chinese."),
    ("handling_body", "受理部门", "Handling body",
     "受理异议的部门：省科学技术厅，或省自然科学基金委员会办公室（省基础公益研究专项）。",
     "Who handles objections: the department, or the foundation committee office for the "
     "basic public-welfare research programme."),
    ("project_code", "项目编号", "Project code", "科技计划项目编号。", "The project's code."),
    ("project_name", "项目名称", "Project name", "科技计划项目名称。", "The project's name."),
    ("programme", "计划类别", "Programme", "项目所属的省级科技计划类别。",
     "The provincial S&T programme the project belongs to."),
    ("undertaking_unit", "项目承担单位", "Undertaking unit", "项目承担单位名称。",
     "The organisation that undertook the project."),
    ("project_leader", "项目负责人", "Project leader", "项目负责人姓名。",
     "The project leader's name."),
    ("decision", "认定结论代码", "Decision code", "exempted 予以免责；rejected 不予认定。",
     "exempted or rejected."),
    ("decision_label", "认定结论", "Decision", "认定结论的中文名称。", "The decision in Chinese."),
    ("ground_codes", "适用情形代码", "Grounds codes",
     "予以免责所依据的适用情形 A1–A5（政策第二部分第（二）项）。CSV 中多个代码以分号分隔，"
     "JSON 中为数组。",
     "Grounds A1–A5 of section 2(2) of the policy. Separated by ';' in the CSV, an array in JSON."),
    ("reason_codes", "不予认定理由代码", "Reason codes",
     "不予认定的理由：X1–X4（不适用情形，政策第二部分第（三）项），out_of_scope 不属于适用范围，"
     "no_ground 未能认定适用情形，diligence_not_shown 未能证明履行勤勉尽责义务，"
     "after_acceptance 未在项目验收前提出申请，objection_upheld 公示异议经核实成立。"
     "分隔方式同上。",
     "Exclusions X1–X4 (section 2(3)), out_of_scope, no_ground, diligence_not_shown, "
     "after_acceptance, objection_upheld. Separated as above."),
    ("explanation", "理由说明", "Explanation",
     "不予认定的书面理由说明，分段以换行分隔；予以免责的为空。",
     "The written explanation of a rejection, paragraphs separated by line breaks; empty for "
     "exemptions."),
    ("finalised_on", "结果确认日期", "Finalised date",
     "认定结果确认日期，格式 YYYY-MM-DD；尚未确认的为空。",
     "The day the result was finalised, YYYY-MM-DD; empty until then."),
    ("notice_url", "公告网址", "Notice URL", "决定公告页面的网址。",
     "The decision notice's page."),
    ("rejection_url", "不予认定理由网址", "Rejection page URL",
     "不予认定理由页面的网址；予以免责的为空。",
     "The page giving the reasons for a rejection; empty for exemptions."),
)  # fmt: skip
COLUMN_NAMES = tuple(column[0] for column in COLUMNS)
LIST_COLUMNS = ("ground_codes", "reason_codes")

# The fields of each object of ``notices`` in decisions.json: a notice's canonical public data
# (docs/public-record.md), as the CMS gave it, whose SHA-256 is in the notice's last 公示记录 entry.
NOTICE_FIELDS = (
    ("notice_number", "公告编号", "Notice number",
     "决定公告的编号，也是其公示记录的主体（subject）。",
     "The notice's number, the subject of its public record entries."),
    ("title", "公告标题", "Title", "决定公告的标题。", "The notice's title."),
    ("window_start", "公示开始日期", "Window start", "YYYY-MM-DD（北京时间）。",
     "YYYY-MM-DD (Asia/Shanghai)."),
    ("window_end", "公示结束日期", "Window end", "YYYY-MM-DD（北京时间）。",
     "YYYY-MM-DD (Asia/Shanghai)."),
    ("state", "记录状态代码", "Recorded state",
     "公示记录最近一次记载的公告状态（仅随记录条目变化），代码同上。",
     "The state the record last recorded (it changes only with an entry); codes as above."),
    ("corrects", "所更正公告", "Corrects", "更正公告所更正的公告编号；不是更正公告的为 null。",
     "The number of the notice this one corrects; null if it corrects none."),
    ("correction_note", "更正说明", "Correction note", "更正公告的更正说明；其他为空。",
     "A correction notice's note; empty otherwise."),
    ("withdrawal_reason", "撤回理由", "Withdrawal reason", "撤回的理由；未撤回的为 null。",
     "Why the notice was withdrawn; null if it was not."),
    ("finalised_on", "结果确认日期", "Finalised date", "YYYY-MM-DD；尚未确认的为 null。",
     "YYYY-MM-DD; null until finalised."),
    ("items", "认定事项", "Items",
     "按公告中的顺序排列的认定事项：item_id、project_code、project_name、programme（计划类别代码）、"
     "undertaking_unit、project_leader、decision、ground_codes、reason_codes、explanation，"
     "含义同上表。",
     "The notice's items in its order: item_id, project_code, project_name, programme (a code), "
     "undertaking_unit, project_leader, decision, ground_codes, reason_codes, explanation, as "
     "above."),
)  # fmt: skip

# (path, format, 说明) of the files the data page lists.
DATA_FILES = (
    (DECISIONS_CSV, "CSV", "全部认定事项，每行一项。UTF-8 编码（带 BOM，可直接用 Excel 打开）。"),
    (
        DECISIONS_JSON,
        "JSON",
        "全部认定事项，字段同 CSV；另附字段说明、所用代码的含义和每份公告的公开数据（notices）。",
    ),
    (WINDOWS_ICS, "iCalendar", "公示中公告的异议截止时间，可导入或订阅到日历软件。"),
    (
        STATISTICS_CSV,
        "CSV",
        "统计数据（每月认定事项、适用情形和不予认定理由、异议、更正与撤回、确认用时），"
        "每个数字一行。UTF-8 编码（带 BOM）。",
    ),
    (STATISTICS_JSON, "JSON", "统计数据，内容同 CSV；另附字段说明和统计口径。"),
)


def page_info() -> dict[str, Any]:
    """What the 开放数据 page shows: the files and their columns (a Pelican setting)."""
    files = [{"path": path, "format": kind, "description": text} for path, kind, text in DATA_FILES]
    keys = ("name", "label_zh", "label_en", "description_zh", "description_en")
    return {
        "files": files,
        "columns": [dict(zip(keys, column, strict=True)) for column in COLUMNS],
        "notice_fields": [dict(zip(keys, field, strict=True)) for field in NOTICE_FIELDS],
        "statistics_columns": [dict(zip(keys, column, strict=True)) for column in DATA_COLUMNS],
        "statistics_url": STATISTICS_URL,
        "record_url": RECORD_URL,
    }


# --- decisions ----------------------------------------------------------------------------------


def decision_rows(site: Site) -> list[dict[str, Any]]:
    """One row per decision item, oldest notice first, items in the notice's order."""
    rows = []
    for notice in sorted(site.notices, key=lambda n: (notice_published(n), n["id"])):
        window = notice["window"]
        for item in notice["decision_items"]:
            row = {
                "item_id": item["id"],
                "notice_number": notice["notice_number"],
                "notice_title": notice["title"],
                "window_start": window["start_date"],
                "window_end": window["end_date"],
                "state": notice["state"],
                "state_label": notice["state_label"],
                "handling_body": notice["handling_body"],
                "project_code": item["project_code"],
                "project_name": item["project_name"],
                "programme": item["programme_label"],
                "undertaking_unit": item["undertaking_unit"],
                "project_leader": item["project_leader"],
                "decision": item["decision"],
                "decision_label": item["decision_label"],
                "ground_codes": [c["code"] for c in item["grounds"]],
                "reason_codes": [c["code"] for c in item["reasons"]],
                "explanation": "\n".join(item["explanation"]),
                "finalised_on": notice.get("finalised_on") or "",
                "notice_url": site.absolute(notice["url"]),
                "rejection_url": site.absolute(item["rejection_url"])
                if item["rejection_url"]
                else "",
            }
            rows.append(row)
    return rows


def _codes(site: Site) -> dict[str, dict[str, str]]:
    """Every code the rows use, with its label and clause as the API gave them."""
    codes: dict[str, dict[str, str]] = {}
    for notice in site.notices:
        for item in notice["decision_items"]:
            for cited in item["grounds"] + item["reasons"]:
                codes.setdefault(
                    cited["code"],
                    {"label": cited.get("label", ""), "clause": cited.get("clause_ref", "")},
                )
    return dict(sorted(codes.items()))


def notice_data(site: Site) -> list[dict[str, Any]]:
    """Each notice's canonical public data as the API gave it, by notice number, its keys in
    order (the data's, whether read from the API or from a source on disk)."""
    found = [json.loads(record.canonical(notice["record_data"])) for notice in site.notices]
    return sorted(found, key=lambda data: (data["notice_number"], record.canonical(data)))


def decisions_json(site: Site, rows: list[dict[str, Any]]) -> bytes:
    info = page_info()
    document = {
        "title": f"{site.name}：认定事项",
        "publisher": site.publisher,
        "source": site.absolute(DATA_URL),
        "updated": feeds.latest_change(site),
        "columns": info["columns"],
        "codes": _codes(site),
        "count": len(rows),
        "decisions": rows,
        "notice_fields": info["notice_fields"],
        "notices": notice_data(site),
    }
    # Not indented: json's C encoder then writes it (tens of MB at 10,000 notices) 3x faster.
    return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")


def decisions_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        cells = {k: ";".join(v) if k in LIST_COLUMNS else v for k, v in row.items()}
        writer.writerow(neutralise_row(cells))
    return buffer.getvalue().encode("utf-8-sig")


# --- statistics ---------------------------------------------------------------------------------


def statistics_data(site: Site) -> dict[str, Any] | None:
    """What the statistics page's source holds for the data files (None without that page)."""
    found = site.of_template(STATISTICS_TEMPLATE)
    return found[0]["cms"]["data"] if found else None


def statistics_json(site: Site, data: dict[str, Any]) -> bytes:
    """The statistics as JSON: the rows of the CSV, with the columns and what is counted. Keys in
    a fixed order: the same bytes whether the source was read from disk (keys sorted) or not."""
    rows = [{name: row[name] for name in DATA_COLUMN_NAMES} for row in data["rows"]]
    figures = [{"key": figure["key"], "title": figure["title"]} for figure in data["figures"]]
    document = {
        "title": f"{site.name}：统计数据",
        "publisher": site.publisher,
        "source": site.absolute(STATISTICS_URL),
        "notes": list(NOTES),
        "columns": page_info()["statistics_columns"],
        "figures": figures,
        "count": len(rows),
        "rows": rows,
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def statistics_csv(rows: list[dict[str, Any]]) -> bytes:
    """One row per number (UTF-8 with a BOM, for Excel); a cell a spreadsheet would run as a
    formula is neutralised (common.spreadsheet)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=DATA_COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(neutralise_row({name: row[name] for name in DATA_COLUMN_NAMES}))
    return buffer.getvalue().encode("utf-8-sig")


def statistics_files(site: Site) -> list[tuple[str, bytes]]:
    data = statistics_data(site)
    if data is None:
        return []
    return [
        (STATISTICS_JSON, statistics_json(site, data)),
        (STATISTICS_CSV, statistics_csv(data["rows"])),
    ]


# --- calendar -----------------------------------------------------------------------------------


def windows_calendar(site: Site) -> bytes:
    """iCalendar: for each notice under publicity (or approved), its window's last day, ending at
    the closing instant the CMS gave, with the notice's page as URL."""
    from icalendar import Calendar, Event  # only here: a build goes live before this

    calendar = Calendar()
    calendar.add("prodid", f"-//{site.publisher or site.host}//{site.name}//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{site.name}：公示期截止")
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for notice in sorted(site.notices, key=lambda n: (n["window"]["closes_at"], n["id"])):
        if notice["state"] not in CALENDAR_STATES:
            continue
        window = notice["window"]
        closes = instant(window["closes_at"]).astimezone(LOCAL_TZ)
        last_day = datetime.combine(instant(window["end_date"]).date(), time(), tzinfo=LOCAL_TZ)
        starts = last_day if last_day < closes else closes - timedelta(hours=1)
        url = site.absolute(notice["url"])
        event = Event()
        event.add("uid", f"notice-{notice['id']}-closes@{site.host}")
        # A published calendar's DTSTAMP is the event's last change (RFC 5545, 3.8.7.2).
        event.add("dtstamp", instant(notice_updated(notice)))
        event.add("dtstart", starts)
        event.add("dtend", closes)
        event.add("summary", f"异议截止：{notice['title']}")
        number = f"公告编号：{notice['notice_number']}。" if notice["notice_number"] else ""
        event.add(
            "description",
            f"{number}{window['label']}对公示事项有异议的，请在截止前通过公告页面提出：{url}",
        )
        event.add("url", url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- sitemap and robots -----------------------------------------------------------------------


def lastmod_by_url(site: Site) -> dict[str, str]:
    """The pages the data dates: notices and their rejection pages, policy-type pages, and the
    notice listings (their newest entry)."""
    dated: dict[str, str] = {}
    for notice in site.notices:
        updated = notice_updated(notice)
        dated[notice["url"]] = updated
        for item in notice["decision_items"]:
            if item["rejection_url"]:
                dated[item["rejection_url"]] = updated
    for source in site.policies:
        dated[source["metadata"]["url"]] = source_updated(source)
    for source in site.of_template("notice_list"):
        listed = [
            dated[entry["url"]]
            for section in source["cms"].get("sections", [])
            for entry in section.get("entries", [])
            if entry["url"] in dated
        ]
        if listed:
            dated[source["metadata"]["url"]] = max(listed)
    return dated


def sitemap(site: Site, build_dir: Path) -> bytes:
    """Every HTML page under ``build_dir`` (the built site), in path order."""
    dated = lastmod_by_url(site)
    pages = sorted(
        url_of_file(path) for path in walk_files(build_dir) if path.endswith(".html")
    )  # walk_files: a string per file, not a Path (tens of thousands)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url in pages:
        lastmod = f"<lastmod>{dated[url]}</lastmod>" if url in dated else ""
        lines.append(f"  <url><loc>{escape(site.absolute(url))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.absolute(SITEMAP)}\n".encode()


# --- the build step -----------------------------------------------------------------------------


def read_pelican_settings(settings_file: Path) -> dict[str, Any]:
    """Pelican's settings, read afresh: they depend on the environment too."""
    from pelican.settings import read_settings

    return read_settings(str(settings_file))


def write_feed_outputs(site: Site, build_dir: Path) -> list[str]:
    """The feeds alone: what an incremental build puts live first (see :mod:`portal.build`)."""
    return feeds.write_feeds(site, build_dir, replace_file)


def write_site_outputs(
    content_dir: Path,
    build_dir: Path,
    settings: dict[str, Any] | Path,
    sources: list[dict[str, Any]] | None = None,
    check: Callable[[], None] | None = None,
) -> list[str]:
    """The build step: feeds, open data, the public record's files, calendar, sitemap and
    robots.txt into ``build_dir``, from ``sources`` (default: read from ``content_dir``) and the
    record the export kept there. Returns the paths written (relative to the build).
    ``check()`` is called between the steps; what it raises stops them."""
    if isinstance(settings, Path):
        settings = read_pelican_settings(settings)
    if sources is None:
        sources = load_sources(content_dir, check)
    site = Site.from_settings(settings, sources)
    written = feeds.write_feeds(site, build_dir, replace_file)
    rows = decision_rows(site)
    outputs: Iterable[tuple[str, bytes]] = (
        (DECISIONS_JSON, decisions_json(site, rows)),
        (DECISIONS_CSV, decisions_csv(rows)),
        *statistics_files(site),
        (WINDOWS_ICS, windows_calendar(site)),
        *record.site_files(content_dir),
        (ROBOTS, robots(site)),
        (SITEMAP, sitemap(site, build_dir)),  # last: after every page is in place
    )
    for path, data in outputs:
        if check is not None:
            check()
        replace_file(build_dir / path, data)
        written.append(path)
    record.drop_unsigned(build_dir, written)
    return written
