"""Benchmark data: thousands of decision notices in every state, written the fastest correct way.

THIS IS A BENCHMARK DATA TOOL (like Wagtail bakerydemo's ``load_benchmark_data``). It writes
published notices with windows in the past, which the publishing guards rightly refuse to do
(a start date before today, a page created live). It runs only under ``benchmarks.settings``,
the only settings that install the ``bench`` app and its ``load_benchmark_data`` command.
The data itself passes the policy's item rules (``rules.check_items``, ``handling_body_for``):
only the route around ``publish()`` is a shortcut.

Three ways of writing are used and timed in the same run, so their costs can be compared:

- ``bulk``: page rows inserted in batches with treebeard paths computed here (``Page._get_path``),
  the parent's ``numchild`` updated once, then the notice rows, items and exemption marks in
  batches. No revisions, no search-index or reference-index entries (Wagtail's admin search and
  usage counts: ``manage.py update_index`` / ``rebuild_references_index`` add them). Most notices.
- ``add_child``: ``index.add_child(instance=notice)`` as a draft (the gate refuses a notice
  created live), then made live with its publication dates by one update; full validation,
  signals, search index; no revision. A sample.
- ``publish``: the real path, ``add_child`` then ``save_revision().publish()`` with every guard,
  for the scheduled notices (start date in the future: approved, waiting for go-live).

Deterministic: the same seed gives the same notices, dated relative to the day of the run.
"""

import random
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Locale, Page

from cms.domain import clauses, dates, programmes, windows
from cms.notices import rules
from cms.notices.models import DecisionItem, DecisionNoticePage, ExemptionMark, NoticeIndexPage
from cms.notices.publication import record_data
from cms.objections.models import Objection
from cms.record.services import append_many

from . import textgen

PROGRAMMES = [p.value for p in programmes.Programme]
NON_BPW = [p for p in PROGRAMMES if p != programmes.Programme.BASIC_PUBLIC_WELFARE]
ITEM_COUNT_WEIGHTS = [15, 15, 14, 12, 10, 9, 8, 7, 5, 5]  # 1..10 items per notice
GROUND_WEIGHTS = {"A1": 30, "A2": 30, "A3": 10, "A4": 25, "A5": 5}
REASON_WEIGHTS = {
    "X1": 4,
    "X2": 6,
    "X3": 14,
    "X4": 6,
    "out_of_scope": 12,
    "no_ground": 24,
    "diligence_not_shown": 20,
    "after_acceptance": 10,
    "objection_upheld": 4,
}
CONTACTS = {
    programmes.HandlingBody.DEPARTMENT: {
        "contact_office": "浙江省科学技术厅监督评估处",
        "contact_phone": "0571-87054100",
        "contact_email": "jdpgc@kjt.zj.example.cn",
        "contact_address": "浙江省杭州市拱墅区环城北路30号（邮编310006）",
    },
    programmes.HandlingBody.FOUNDATION_OFFICE: {
        "contact_office": "浙江省自然科学基金委员会办公室",
        "contact_phone": "0571-87054200",
        "contact_email": "jjw@kjt.zj.example.cn",
        "contact_address": "浙江省杭州市拱墅区环城北路30号（邮编310006）",
    },
}
PROGRAMME_WORDS = {
    "basic_public_welfare": "省基础公益研究专项",
    "key_rd": "省重点研发计划",
    "natural_science_fund": "省自然科学基金",
    "soft_science": "省软科学研究计划",
    "other": "省级科技计划",
}
WITHDRAWAL_REASONS = [
    "公示期间发现部分事项的项目承担单位名称与合同书不一致，需补充核实，本公告撤回，核实后另行公示。",
    "经复核，本公告所列事项的专家组论证材料不完整，现予撤回，补正后重新公示。",
    "因项目主管部门对其中一个事项提出复核意见，本公告撤回，复核完成后另行公示。",
]
CORRECTION_NOTES = [
    "原公示事项的项目负责人姓名有误，现予更正；更正事项自本公告发布之日起重新公示7天。",
    "原公示事项的项目承担单位名称有误，现予更正；更正事项自本公告发布之日起重新公示7天。",
    "经异议核实，原公示事项的认定结论需作调整，现予更正并重新公示。",
]


@dataclass
class NoticePlan:
    """One notice as it will be stored: page fields, items, marks, the state it will be in."""

    key: int
    fields: dict[str, Any]
    items: list[dict[str, Any]]
    state: rules.NoticeState
    method: str = "bulk"
    corrects_key: int | None = None
    marks_date: date | None = None
    pk: int | None = None
    item_pks: list[int] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    codes, chosen = list(weights), []
    while len(chosen) < k:
        code = rng.choices(codes, weights=list(weights.values()))[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


def _project_code(rng: random.Random, programme: str, year: int) -> str:
    yy = year % 100
    letter = rng.choice("ABCDEFGH")
    if programme == "key_rd":
        return f"{year}C0{rng.randint(1, 4)}{rng.randint(1, 999):03d}"
    if programme == "natural_science_fund":
        return f"LY{yy}{letter}{rng.randint(10, 99)}{rng.randint(1, 9999):04d}"
    if programme == "basic_public_welfare":
        return f"LGF{yy}{letter}{rng.randint(10, 99)}{rng.randint(1, 9999):04d}"
    if programme == "soft_science":
        return f"{year}C35{rng.randint(1, 999):03d}"
    return f"{year}R{rng.randint(10, 99)}{rng.randint(1, 999):03d}"


def _items(rng: random.Random, programmes: list[str], year: int) -> list[dict[str, Any]]:
    count = rng.choices(range(1, 11), weights=ITEM_COUNT_WEIGHTS)[0]
    items, codes = [], set()
    for _ in range(count):
        programme = rng.choice(programmes)
        code = _project_code(rng, programme, year - rng.randint(2, 4))
        while code in codes:
            code = _project_code(rng, programme, year - rng.randint(2, 4))
        codes.add(code)
        item = {
            "project_code": code,
            "project_name": textgen.project_name(rng),
            "programme": programme,
            "undertaking_unit": textgen.unit(rng),
            "project_leader": textgen.person(rng),
        }
        if rng.random() < 0.25:
            reasons = _weighted(rng, REASON_WEIGHTS, 1 if rng.random() < 0.7 else 2)
            item.update(
                decision=clauses.Decision.REJECTED.value,
                grounds=[],
                reasons=reasons,
                explanation=textgen.explanation(rng, reasons),
            )
        else:
            size = rng.randint(5, 11)
            financial = rng.randint(1, 3)
            technical = size - financial - rng.choice((0, 0, 1))
            item.update(
                decision=clauses.Decision.EXEMPTED.value,
                grounds=_weighted(rng, GROUND_WEIGHTS, 1 if rng.random() < 0.8 else 2),
                reasons=[],
                explanation=textgen.exemption_note(rng) if rng.random() < 0.6 else "",
                panel_size=size,
                technical_members=technical,
                financial_members=financial,
            )
        items.append(item)
    return items


def _check(items: list[dict[str, Any]]) -> programmes.HandlingBody:
    """The generated data obeys the policy's item rules; only the route to live is a shortcut."""
    facts = [
        rules.ItemFacts(
            label=item["project_code"],
            decision=item["decision"],
            grounds=tuple(item["grounds"]),
            reasons=tuple(item["reasons"]),
            explanation=item["explanation"],
            panel_size=item.get("panel_size"),
            technical_members=item.get("technical_members"),
            financial_members=item.get("financial_members"),
        )
        for item in items
    ]
    if errors := rules.check_items(facts):
        raise AssertionError(f"generated item breaks a rule: {errors[0]}")
    return programmes.handling_body_for([item["programme"] for item in items])


class Planner:
    """Builds the notices in time order: the oldest ~3 years ago, the newest under publicity
    today, a few scheduled after today."""

    def __init__(self, seed: int, now: datetime, span_days: int = 1095):
        self.rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
        self.now = now
        self.today = dates.local_date(now)
        self.span_days = span_days
        self.sequence: Counter = Counter()
        self.key = 0

    def _number(self, body: programmes.HandlingBody, year: int) -> tuple[str, str]:
        prefix = "zjnsf" if body is programmes.HandlingBody.FOUNDATION_OFFICE else "zkrm"
        self.sequence[(prefix, year)] += 1
        seq = self.sequence[(prefix, year)]
        word = "浙自然基金容免" if prefix == "zjnsf" else "浙科容免"
        return f"{word}〔{year}〕{seq}号", f"{prefix}-{year}-{seq:04d}"

    def _state(self, window, *, finalised_at=None, withdrawn_at=None, corrected=False):
        facts = rules.NoticeFacts(
            approved=True,
            window=window,
            finalised=finalised_at is not None,
            corrected=corrected,
            withdrawn=withdrawn_at is not None,
        )
        return rules.state_at(facts, self.now)

    def notice(self, start: date, *, live: bool = True) -> NoticePlan:
        rng = self.rng
        year = start.year
        if rng.random() < 0.12:
            programmes = ["basic_public_welfare"]
        else:
            main = rng.choice(NON_BPW)
            programmes = [main] if rng.random() < 0.8 else rng.sample(NON_BPW, 2)
        items = _items(rng, programmes, year)
        body = _check(items)
        number, slug = self._number(body, year)
        window = windows.PublicityWindow(start)
        batch = self.sequence[("zjnsf" if body.value == "foundation_office" else "zkrm", year)]
        programme_word = PROGRAMME_WORDS[programmes[0]] if len(programmes) == 1 else "省级科技计划"
        title = rng.choice(
            [
                f"关于{year}年第{batch}批{programme_word}项目科技创新容错免责认定结果的公示",
                f"{year}年度{programme_word}项目容错免责认定结果公示（第{batch}批）",
                f"关于{items[0]['undertaking_unit']}等{len(items)}个项目容错免责认定结果的公示"
                if len(items) > 1
                else f"关于{items[0]['undertaking_unit']}项目容错免责认定结果的公示",
            ]
        )
        introduction = textgen.introduction(
            rng,
            count=len(items),
            year=year,
            batch=batch,
            programme=programme_word,
            start=dates.format_date_zh(window.start_date),
            end=dates.format_date_zh(window.end_date),
            days=window.days,
            office=CONTACTS[body]["contact_office"],
        )
        fields = {
            "title": title,
            "slug": slug,
            "notice_number": number,
            "publicity_start": start,
            "publicity_days": window.days,
            "introduction": introduction,
            "go_live_at": window.opens_at,
            **CONTACTS[body],
        }
        if live:
            fields.update(first_published_at=window.opens_at, last_published_at=window.opens_at)
        self.key += 1
        plan = NoticePlan(self.key, fields, items, rules.NoticeState.APPROVED)
        if not live:
            return plan
        closed = window.closes_at <= self.now
        if rng.random() < 0.02:
            latest = min(window.closes_at, self.now) - window.opens_at
            withdrawn_at = window.opens_at + latest * rng.uniform(0.1, 0.9)
            fields.update(
                withdrawn_at=withdrawn_at, withdrawal_reason=rng.choice(WITHDRAWAL_REASONS)
            )
        elif closed:
            finalised_at = window.closes_at + timedelta(days=rng.uniform(5, 30))
            if finalised_at < self.now:
                fields["finalised_at"] = finalised_at
                plan.marks_date = dates.local_date(finalised_at)
        plan.state = self._state(
            window, finalised_at=fields.get("finalised_at"), withdrawn_at=fields.get("withdrawn_at")
        )
        fields["recorded_state"] = plan.state.value
        return plan

    def correction(self, original: NoticePlan) -> NoticePlan:
        """更正公告 of ``original``: the same items less one at most, a fresh window."""
        rng = self.rng
        start = original.fields["publicity_start"] + timedelta(days=rng.randint(2, 6))
        window = windows.PublicityWindow(start)
        items = [dict(item) for item in original.items]
        if len(items) > 1 and rng.random() < 0.5:
            items.pop(rng.randrange(len(items)))
        fields = {
            **{
                k: original.fields[k]
                for k in (
                    "introduction",
                    "contact_office",
                    "contact_phone",
                    "contact_email",
                    "contact_address",
                )
            },
            "title": f"关于《{original.fields['title']}》的更正公告",
            "slug": f"{original.fields['slug']}-correction-1",
            "notice_number": f"{original.fields['notice_number']}-更正1",
            "publicity_start": start,
            "publicity_days": window.days,
            "go_live_at": window.opens_at,
            "first_published_at": window.opens_at,
            "last_published_at": window.opens_at,
            "correction_note": rng.choice(CORRECTION_NOTES),
        }
        self.key += 1
        plan = NoticePlan(self.key, fields, items, rules.NoticeState.APPROVED)
        plan.corrects_key = original.key
        finalised_at = window.closes_at + timedelta(days=rng.uniform(5, 30))
        if finalised_at < self.now:
            fields["finalised_at"] = finalised_at
            plan.marks_date = dates.local_date(finalised_at)
        plan.state = self._state(window, finalised_at=fields.get("finalised_at"))
        fields["recorded_state"] = plan.state.value
        # The original now reads as corrected (a live correction exists).
        original.state = rules.NoticeState.CORRECTED
        original.fields["recorded_state"] = original.state.value
        return plan

    def plan(self, total: int, scheduled: int) -> list[NoticePlan]:
        plans: list[NoticePlan] = []
        timeline = total - scheduled
        step = self.span_days / max(1, timeline)
        slot = 0
        while len(plans) < timeline:
            days_ago = round((timeline - 1 - slot) * step)
            slot += 1
            plan = self.notice(self.today - timedelta(days=days_ago))
            plans.append(plan)
            can_correct = (
                days_ago >= 10
                and len(plans) < timeline
                and "withdrawn_at" not in plan.fields
                and self.rng.random() < 0.04
            )
            if can_correct:
                plans.append(self.correction(plan))
                slot += 1
        for _ in range(scheduled):
            start = self.today + timedelta(days=self.rng.randint(1, 10))
            plan = self.notice(start, live=False)
            plan.method = "publish"
            plans.append(plan)
        return plans


# --- writing ------------------------------------------------------------------------------


def _item_rows(plan: NoticePlan) -> list[DecisionItem]:
    return [
        DecisionItem(notice_id=plan.pk, sort_order=position, **item)
        for position, item in enumerate(plan.items)
    ]


def _marks(plans: list[NoticePlan]) -> int:
    marks = [
        ExemptionMark(
            notice_id=plan.pk,
            notice_number=plan.fields["notice_number"],
            project_code=item["project_code"],
            decision=item["decision"],
            decision_date=plan.marks_date,
        )
        for plan in plans
        if plan.marks_date
        for item in plan.items
    ]
    ExemptionMark.objects.bulk_create(marks, batch_size=2000)
    return len(marks)


def write_bulk(plans: list[NoticePlan], index: NoticeIndexPage, batch: int = 1000) -> int:
    """Page rows with computed tree paths, then notice rows, items and marks, in batches."""
    if not plans:
        return 0
    content_type = ContentType.objects.get_for_model(DecisionNoticePage)
    locale = Locale.get_default()
    last = index.get_last_child()
    step = index._str2int(last.path[-index.steplen :]) if last else 0
    depth = index.depth + 1
    pages = []
    for plan in plans:
        step += 1
        fields = dict(plan.fields)
        fields.pop("corrects", None)
        page = DecisionNoticePage(
            **fields,
            draft_title=fields["title"],
            content_type=content_type,
            locale=locale,
            live=True,
            has_unpublished_changes=False,
            path=DecisionNoticePage._get_path(index.path, depth, step),
            depth=depth,
            numchild=0,
            url_path=f"{index.url_path}{fields['slug']}/",
        )
        pages.append(page)
    page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    notice_fields = DecisionNoticePage._meta.local_concrete_fields
    by_key = {plan.key: plan for plan in plans}
    for start in range(0, len(pages), batch):
        chunk = pages[start : start + batch]
        rows = Page._base_manager._insert(
            chunk, fields=page_fields, returning_fields=Page._meta.db_returning_fields
        )
        for page, plan, row in zip(chunk, plans[start : start + batch], rows, strict=True):
            page.id = page.page_ptr_id = plan.pk = row[0]
    for page, plan in zip(pages, plans, strict=True):
        if plan.corrects_key is not None:
            page.corrects_id = by_key[plan.corrects_key].pk
    for start in range(0, len(pages), batch):
        DecisionNoticePage._base_manager._insert(pages[start : start + batch], fields=notice_fields)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(pages))
    items = [row for plan in plans for row in _item_rows(plan)]
    DecisionItem.objects.bulk_create(items, batch_size=2000)
    _marks(plans)
    return len(pages)


PUBLISHED_FIELDS = ("first_published_at", "last_published_at")


def write_add_child(plans: list[NoticePlan], index: NoticeIndexPage) -> int:
    for plan in plans:
        published = {name: plan.fields.get(name) for name in PUBLISHED_FIELDS}
        notice = DecisionNoticePage(**plan.fields, live=False)
        for name in PUBLISHED_FIELDS:
            setattr(notice, name, None)
        for item in _item_rows(plan):
            item.notice_id = None
            notice.items.add(item)
        index.add_child(instance=notice)
        # A notice is never created live (the gate refuses it): made live behind its back.
        DecisionNoticePage.objects.filter(pk=notice.pk).update(live=True, **published)
        plan.pk = notice.pk
    _marks(plans)
    return len(plans)


def write_published(plans: list[NoticePlan], index: NoticeIndexPage) -> int:
    """The real path, guards and all: only for start dates the guards accept (today or later)."""
    for plan in plans:
        notice = DecisionNoticePage(**plan.fields, live=False)
        for item in _item_rows(plan):
            item.notice_id = None
            notice.items.add(item)
        index.add_child(instance=notice)
        notice.save_revision().publish()
        plan.pk = notice.pk
    return len(plans)


TREE_CHECKS = {
    # treebeard's materialised path: depth follows the path's length (4 characters a step) ...
    "wrong_depth": "SELECT count(*) FROM wagtailcore_page WHERE depth * 4 != length(path)",
    # ... every page but the root has a parent ...
    "orphans": "SELECT count(*) FROM wagtailcore_page c WHERE c.depth > 1 AND NOT EXISTS"
    " (SELECT 1 FROM wagtailcore_page p WHERE p.path = substr(c.path, 1, length(c.path) - 4))",
    # ... and numchild counts the children.
    "wrong_numchild": "SELECT count(*) FROM wagtailcore_page p LEFT JOIN (SELECT"
    " substr(path, 1, length(path) - 4) AS parent, count(*) AS n FROM wagtailcore_page"
    " WHERE depth > 1 GROUP BY 1) c ON c.parent = p.path WHERE p.numchild != coalesce(c.n, 0)",
    # url_path is the parent's plus the slug.
    "wrong_url_path": "SELECT count(*) FROM wagtailcore_page c JOIN wagtailcore_page p"
    " ON p.path = substr(c.path, 1, length(c.path) - 4)"
    " WHERE c.url_path != p.url_path || c.slug || '/'",
}


def record_history(notice: DecisionNoticePage, now: datetime) -> list[tuple[str, datetime]]:
    """The public events a live notice in its state would have had, with their times."""
    window = notice.publicity_window
    published = notice.first_published_at or window.opens_at
    first = "correction_published" if notice.corrects_id else "published"
    events = [(first, published), ("window_opened", published)]
    if window.closes_at <= now and notice.recorded_state != "withdrawn":
        events.append(("window_closed", window.closes_at))
    last = {"withdrawn": notice.withdrawn_at, "finalised": notice.finalised_at}
    if last.get(notice.recorded_state):
        events.append((notice.recorded_state, last[notice.recorded_state]))
    if notice.recorded_state == "corrected":
        events.append(("corrected", max(at for _, at in events)))
    return events


def write_record(now: datetime) -> int:
    """The public record of every live notice, oldest event first, hashing each notice's public
    data as it is now (benchmark data has no earlier states to hash)."""
    notices = (
        DecisionNoticePage.objects.live()
        .select_related("corrects")
        .prefetch_related("items")
        .order_by("pk")
    )
    events = []
    for notice in notices.iterator(chunk_size=1000):
        data = record_data(notice)
        for event, at in record_history(notice, now):
            events.append((at, "notice", notice.notice_number, event, data))
    events.sort(key=lambda row: row[0])
    return append_many(
        (kind, subject, event, data, at) for at, kind, subject, event, data in events
    )


OBJECTION_TEXTS = (
    "该项目的承担单位在研究过程中存在未如实报告的情况，请核实。",
    "项目负责人未按合同约定开展研究，不符合免责条件。",
    "对不予认定的理由有不同意见：项目已按规定履行勤勉尽责义务。",
    "认定事项中的项目名称与立项文件不一致，请核实后更正。",
)
ANSWERED = {"upheld": 1, "not_upheld": 7, "inadmissible": 2}


@contextmanager
def _dated_freely():
    """Objections keep the dates generated for them (``created_at`` is otherwise now)."""
    created = Objection._meta.get_field("created_at")
    created.auto_now_add = False
    try:
        yield
    finally:
        created.auto_now_add = True


def write_objections(plans: list[NoticePlan], now: datetime, seed: int) -> int:
    """Objections as the public files them: several to each notice under publicity, waiting for
    an answer; about one to each notice whose window has closed, answered (mostly not upheld).
    Dated within their notice's window; personal data made up."""
    rng = random.Random(seed + 2)  # noqa: S311
    items: dict[int, list[int]] = {}
    for notice_id, item_id in DecisionItem.objects.order_by("pk").values_list("notice_id", "pk"):
        items.setdefault(notice_id, []).append(item_id)
    rows, number = [], 0
    for plan in plans:
        if plan.pk is None or plan.pk not in items or plan.state is rules.NoticeState.APPROVED:
            continue
        window = windows.PublicityWindow(
            plan.fields["publicity_start"], plan.fields["publicity_days"]
        )
        open_ = plan.state is rules.NoticeState.UNDER_PUBLICITY
        count = rng.randint(1, 6) if open_ else rng.choice((0, 0, 1, 1, 1, 2, 3))
        latest = min(now, window.closes_at)
        for _ in range(count):
            number += 1
            at = window.opens_at + (latest - window.opens_at) * rng.random()
            outcome = "" if open_ else _weighted(rng, ANSWERED, 1)[0]
            rows.append(
                Objection(
                    notice_id=plan.pk, item_id=rng.choice(items[plan.pk]),
                    receipt_number=f"YY{at.year}-B{number:08d}", lookup_code_hash="benchmark",
                    real_name=f"异议人{number}", phone=f"138{number % 10**8:08d}",
                    email=f"objector{number}@example.invalid", consented_at=at, created_at=at,
                    objector_type=rng.choice(("individual", "individual", "organisation")),
                    content=rng.choice(OBJECTION_TEXTS),
                    status="answered" if outcome else rng.choice(("received", "investigating")),
                    outcome=outcome, answer="经调查核实，答复如下。" if outcome else "",
                    answered_at=_answered_at(window, rng, now) if outcome else None,
                )
            )  # fmt: skip
    with _dated_freely():
        Objection.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _answered_at(window: windows.PublicityWindow, rng: random.Random, now: datetime) -> datetime:
    """A day or a few weeks after the window closed, and never after ``now``: an answer dated
    in the future would count as a change to its notice on every export until that time."""
    return min(window.closes_at + timedelta(days=rng.randint(1, 20)), now)


def tree_problems() -> dict[str, int]:
    """What treebeard's ``find_problems`` checks (and the url_path), one SQL query each: the
    method itself takes ~18 s on 10,000 pages, these take well under a second."""
    with connection.cursor() as cursor:
        found = {}
        for name, sql in TREE_CHECKS.items():
            cursor.execute(sql)
            found[name] = cursor.fetchone()[0]
    return found


def generate(total: int, seed: int, add_child: int, scheduled: int) -> dict[str, Any]:
    if DecisionNoticePage.objects.exists():
        raise RuntimeError("notices already exist: benchmark data goes into an empty database")
    started = time.perf_counter()
    now = timezone.now()
    planner = Planner(seed, now)
    plans = planner.plan(total, scheduled)
    planned = time.perf_counter()
    # A sample of plain notices (no correction either way) goes through add_child.
    linked = {p.key for p in plans if p.corrects_key} | {p.corrects_key for p in plans}
    plain = [p for p in plans if p.method == "bulk" and p.key not in linked]
    sampler = random.Random(seed + 1)  # noqa: S311
    for plan in sampler.sample(plain, min(add_child, len(plain))):
        plan.method = "add_child"
    index = NoticeIndexPage.objects.get()
    timings = {"plan": planned - started}
    counts = {}
    for method, writer in (
        ("bulk", write_bulk),
        ("add_child", write_add_child),
        ("publish", write_published),
    ):
        chosen = [p for p in plans if p.method == method]
        index.refresh_from_db()
        began = time.perf_counter()
        with transaction.atomic():
            counts[method] = writer(chosen, index)
        timings[method] = time.perf_counter() - began
    began = time.perf_counter()
    with transaction.atomic():
        counts["record"] = write_record(now)
    timings["record"] = time.perf_counter() - began
    began = time.perf_counter()
    with transaction.atomic():
        objections = write_objections(plans, now, seed)
    timings["objections"] = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    began = time.perf_counter()
    problems = tree_problems()
    timings["tree_check"] = time.perf_counter() - began
    timings["total"] = time.perf_counter() - started
    if any(problems.values()):
        raise AssertionError(f"the page tree is inconsistent: {problems}")
    states = Counter(plan.state.value for plan in plans)
    items = [item for plan in plans for item in plan.items]
    open_plans = [p for p in plans if p.state is rules.NoticeState.UNDER_PUBLICITY]
    return {
        "notices": len(plans),
        "items": len(items),
        "rejected_items": sum(1 for i in items if i["decision"] == "rejected"),
        "states": dict(sorted(states.items())),
        "counts": counts,
        "seconds": timings,
        "live": DecisionNoticePage.objects.live().count(),
        "objections": objections,
        "objections_open": Objection.objects.filter(outcome="").count(),
        "objection_targets": [
            {"notice": p.pk, "item": DecisionItem.objects.filter(notice_id=p.pk).first().pk}
            for p in open_plans[:5]
        ],
        "introduction_chars": [
            len(p.fields["introduction"]) for p in plans[:: max(1, total // 200)]
        ],
        "explanation_chars": [len(i["explanation"]) for i in items if i["explanation"]][::50],
    }
