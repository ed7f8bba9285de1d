"""The baseline for the portal build: the same notices and rejection pages as Markdown, built by
one plain ``pelican`` process with its default theme and default settings (no plugins).

The Markdown is written from the portal's own exported sources (``content/generated``), so both
builds publish the same facts: every notice with its window, items, cited clauses, explanations
and contact as an article (category: its state), every rejected item as a hidden page (written,
not listed in the menu; see rejection_markdown).
"""

import json
from pathlib import Path

SETTINGS = """\
# Vanilla Pelican: only what pelican-quickstart asks for; every other setting is Pelican's
# default (theme "notmyidea", no plugins, feeds, category/tag/author/archive pages).
AUTHOR = "浙江省科学技术厅"
SITENAME = "科技创新容错免责公示平台"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
"""


def _paragraphs(lines: list[str]) -> str:
    return "\n\n".join(lines)


def _cited(item: dict) -> list[str]:
    return [
        f"- **{c['short']}** {c['label']}（{c['clause_ref']}）：{c['clause_text']}"
        for c in item["grounds"] + item["reasons"]
    ]


def notice_markdown(source: dict) -> str:
    meta, cms = source["metadata"], source["cms"]
    window = cms["window"]
    contact = cms["objection_contact"]
    lines = [
        f"Title: {meta['title']}",
        f"Date: {meta['date']}",
        f"Slug: {meta['url'].strip('/').split('/')[-1]}",
        f"Category: {cms['state_label']}",
        f"Summary: {cms['notice_number']}，{window['dates_zh']}，{cms['state_label']}",
        "",
        f"**公告编号**：{cms['notice_number']}  ",
        f"**{window['label']}**  ",
        f"**状态**：{cms['state_label']}（{window['as_of_zh']}）  ",
        f"**办理单位**：{cms['handling_body']}",
        "",
        _paragraphs(cms["introduction"]),
        "",
        "## 认定事项",
        "",
        "| 项目编号 | 项目名称 | 项目承担单位 | 项目负责人 | 计划类别 | 认定结论 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for item in cms["decision_items"]:
        lines.append(
            f"| {item['project_code']} | {item['project_name']} | {item['undertaking_unit']} |"
            f" {item['project_leader']} | {item['programme_label']} | {item['decision_label']} |"
        )
    for item in cms["decision_items"]:
        lines += [
            "",
            f"### {item['project_code']} {item['project_name']}：{item['decision_label']}",
            "",
            *_cited(item),
        ]
        if item["explanation"]:
            lines += ["", _paragraphs(item["explanation"])]
    if cms.get("correction_note"):
        lines += ["", "## 更正说明", "", _paragraphs(cms["correction_note"])]
    if cms.get("withdrawal"):
        lines += [
            "",
            f"## 撤回（{cms['withdrawal']['date_zh']}）",
            "",
            _paragraphs(cms["withdrawal"]["reason"]),
        ]
    lines += [
        "",
        "## 异议受理",
        "",
        f"- 受理部门：{contact['office']}",
        f"- 联系电话：{contact['phone']}",
        f"- 电子邮箱：{contact['email']}",
        f"- 通信地址：{contact['address']}",
        "",
    ]
    return "\n".join(lines)


def rejection_markdown(source: dict) -> str:
    meta, cms = source["metadata"], source["cms"]
    notice, item = cms["notice"], cms["item"]
    lines = [
        f"Title: {meta['title']}",
        f"Slug: {meta['slug']}",
        # Hidden: written like any page, but not listed in every page's menu. Listed (Pelican's
        # default for a page), each of the ~10,000 article pages carries a menu of ~11,000
        # links: 2.7 MB per page, 13 GB and 5,000 of ~21,000 files after 14 minutes.
        "Status: hidden",
        "",
        f"**公告**：{notice['title']}（{notice['notice_number']}）  ",
        f"**{notice['window']['label']}**  ",
        f"**状态**：{notice['state_label']}",
        "",
        f"## {item['project_code']} {item['project_name']}",
        "",
        f"- 项目承担单位：{item['undertaking_unit']}",
        f"- 项目负责人：{item['project_leader']}",
        f"- 计划类别：{item['programme_label']}",
        f"- 认定结论：{item['decision_label']}",
        "",
        "## 不予认定理由",
        "",
        *_cited(item),
        "",
        _paragraphs(item["explanation"]),
        "",
    ]
    return "\n".join(lines)


def write_site(generated: Path, target: Path) -> dict[str, int]:
    """Writes ``target/content`` (articles and pages) and ``target/pelicanconf.py``."""
    articles, pages = target / "content", target / "content" / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    counts = {"articles": 0, "pages": 0}
    for path in sorted(generated.rglob("*.json")):
        source = json.loads(path.read_text(encoding="utf-8"))
        template = source["metadata"].get("template")
        if template == "notice":
            name = source["metadata"]["url"].strip("/").split("/")[-1]
            (articles / f"{name}.md").write_text(notice_markdown(source), encoding="utf-8")
            counts["articles"] += 1
        elif template == "rejection":
            name = source["metadata"]["slug"]
            (pages / f"{name}.md").write_text(rejection_markdown(source), encoding="utf-8")
            counts["pages"] += 1
    (target / "pelicanconf.py").write_text(SETTINGS, encoding="utf-8")
    return counts
