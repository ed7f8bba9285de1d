"""Tests for cms.notices.rules: plain pytest + hypothesis, no Django."""

import ast
import dataclasses
import re
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cms.domain import clauses, dates, windows
from cms.domain.clauses import (
    EXCLUSIONS,
    GROUNDS,
    REJECTION_REASONS,
    Decision,
    get_clause,
    get_exclusion,
    get_ground,
    get_reason,
)
from cms.domain.dates import local_date
from cms.domain.errors import GuardError
from cms.domain.numerals import chinese_numeral_to_int, clause_anchor, int_to_chinese_numeral
from cms.domain.programmes import HandlingBody, Programme, handling_body_for
from cms.domain.windows import PublicityWindow, WindowPhase
from cms.notices import rules
from cms.notices.rules import (
    ALLOWED_TRANSITIONS,
    MESSAGES,
    ItemFacts,
    NoticeFacts,
    NoticeState,
    check_finalise,
    check_item,
    check_items,
    check_objection,
    check_publish_start,
    check_transition,
    ensure_item,
    state_at,
)

# Independent of tzdata: China has kept UTC+8 without daylight saving since 1991.
CST = timezone(timedelta(hours=8))
US = timedelta(microseconds=1)
START_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
DAYS = st.one_of(st.just(7), st.integers(min_value=1, max_value=30))
LABEL = "ZJ2026-001"


def local_midnight_utc(d: date) -> datetime:
    """00:00 in China on day ``d``, expressed in UTC like the server clock."""
    return datetime.combine(d, time(0), tzinfo=CST).astimezone(UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Module hygiene -----------------------------------------------------------------------


def test_module_imports_only_stdlib_and_the_shared_rules():
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module or "" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    outside = {m for m in imported if m.split(".")[0] not in stdlib}
    assert outside and all(m == "cms.domain" or m.startswith("cms.domain.") for m in outside)


def test_all_names_exist():
    for name in rules.__all__:
        assert hasattr(rules, name), name
    assert len(set(rules.__all__)) == len(rules.__all__)


# --- Numerals and anchors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("一", 1), ("三", 3), ("九", 9), ("十", 10), ("十一", 11), ("十九", 19), ("（三）", 3),
     ("(三)", 3), ("三、", 3), ("二、", 2), ("（十二）", 12), (" 四 ", 4)],
)  # fmt: skip
def test_chinese_numeral_to_int(text, expected):
    assert chinese_numeral_to_int(text) == expected


@pytest.mark.parametrize(
    "junk", ["", "零", "二十", "十十", "一二", "3", "abc", "（）", "十二三", "三四、", None, 3]
)
def test_chinese_numeral_to_int_refuses_junk(junk):
    with pytest.raises(ValueError):
        chinese_numeral_to_int(junk)


@given(st.integers(min_value=1, max_value=19))
def test_numeral_round_trip(n):
    numeral = int_to_chinese_numeral(n)
    assert chinese_numeral_to_int(numeral) == n
    assert chinese_numeral_to_int(f"（{numeral}）") == n
    assert chinese_numeral_to_int(f"{numeral}、") == n


@pytest.mark.parametrize("bad", [0, 20, -1, True])
def test_int_to_chinese_numeral_range(bad):
    with pytest.raises(ValueError):
        int_to_chinese_numeral(bad)


def test_clause_anchor():
    assert clause_anchor(2) == "s2"
    assert clause_anchor(2, 3) == "s2-3"
    assert clause_anchor(2, 3, 3) == "s2-3-3"
    assert clause_anchor(chinese_numeral_to_int("二"), chinese_numeral_to_int("（三）"), 3) == (
        "s2-3-3"
    )


@pytest.mark.parametrize("args", [(0,), (2, 0), (2, None, 3), (2, 3, -1), (True,)])
def test_clause_anchor_refuses_bad_parts(args):
    with pytest.raises(ValueError):
        clause_anchor(*args)


# --- Clause codes -------------------------------------------------------------------------


def test_grounds_and_exclusions():
    assert list(GROUNDS) == ["A1", "A2", "A3", "A4", "A5"]
    assert [c.anchor for c in GROUNDS.values()] == [f"s2-2-{i}" for i in range(1, 6)]
    assert list(EXCLUSIONS) == ["X1", "X2", "X3", "X4"]
    assert [c.anchor for c in EXCLUSIONS.values()] == [f"s2-3-{i}" for i in range(1, 5)]
    a2 = GROUNDS["A2"]
    assert (a2.code, a2.label, a2.clause_ref, a2.anchor) == (
        "A2",
        "技术路线选择失误",
        "二（二）2",
        "s2-2-2",
    )
    assert EXCLUSIONS["X3"].clause_ref == "二（三）3"


def test_rejection_reasons():
    expected = {
        "X1": "s2-3-1", "X2": "s2-3-2", "X3": "s2-3-3", "X4": "s2-3-4",
        "out_of_scope": "s2-1", "no_ground": "s2-2", "diligence_not_shown": "s3-3",
        "after_acceptance": "s3-1", "objection_upheld": "s3-5",
    }  # fmt: skip
    assert {code: c.anchor for code, c in REJECTION_REASONS.items()} == expected
    assert list(REJECTION_REASONS) == list(expected)
    assert REJECTION_REASONS["out_of_scope"].label == "不属于适用范围"
    assert REJECTION_REASONS["out_of_scope"].clause_ref == "二（一）"
    assert REJECTION_REASONS["diligence_not_shown"].clause_ref == "三（三）"
    assert REJECTION_REASONS["objection_upheld"].label == "公示异议经核实成立"
    assert not set(GROUNDS) & set(REJECTION_REASONS)


def test_every_clause_is_complete_and_its_ref_matches_its_anchor():
    ref = re.compile(r"^(.+?)（(.+?)）(\d*)$")
    for code, clause in clauses.CLAUSES.items():
        assert clause.code == code
        assert clause.label and clause.label_en and clause.clause_ref and clause.anchor
        section, subsection, item = ref.match(clause.clause_ref).groups()
        expected = clause_anchor(
            chinese_numeral_to_int(section),
            chinese_numeral_to_int(subsection),
            int(item) if item else None,
        )
        assert clause.anchor == expected


def test_clause_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        GROUNDS["A1"].label = "x"
    with pytest.raises(TypeError):
        GROUNDS["A9"] = GROUNDS["A1"]


def test_lookups():
    assert get_ground("A4").anchor == "s2-2-4"
    assert get_exclusion("X2").anchor == "s2-3-2"
    assert get_reason("X2") is get_exclusion("X2")
    assert get_reason("after_acceptance").anchor == "s3-1"
    assert get_clause("A1") is get_ground("A1")
    assert get_clause("no_ground").anchor == "s2-2"


@pytest.mark.parametrize(
    ("lookup", "code"),
    [(get_ground, "X1"), (get_ground, "a1"), (get_exclusion, "A1"), (get_reason, "A1"),
     (get_reason, "OUT_OF_SCOPE"), (get_clause, "A9"), (get_clause, None)],
)  # fmt: skip
def test_lookups_refuse_unknown_codes(lookup, code):
    with pytest.raises(GuardError) as info:
        lookup(code)
    assert info.value.code == "unknown_code"
    assert str(code) in str(info.value) and str(code) in info.value.message_en


# --- Enums --------------------------------------------------------------------------------


def test_enums():
    assert Decision.EXEMPTED == "exempted" and Decision.EXEMPTED.label == "予以免责"
    assert Decision("rejected") is Decision.REJECTED and Decision.REJECTED.label == "不予认定"
    assert Decision.choices() == [("exempted", "予以免责"), ("rejected", "不予认定")]
    assert {p.value: p.label for p in Programme} == {
        "basic_public_welfare": "省基础公益研究专项",
        "key_rd": "省重点研发计划",
        "natural_science_fund": "省自然科学基金",
        "soft_science": "省软科学研究计划",
        "other": "其他省级科技计划",
    }
    assert HandlingBody.DEPARTMENT.label == "省科学技术厅"
    assert HandlingBody.FOUNDATION_OFFICE.label == "省自然科学基金委员会办公室"
    assert {s.value: s.label for s in NoticeState} == {
        "draft": "草稿", "in_review": "审定中", "approved": "已审定待公示",
        "under_publicity": "公示中", "closed": "公示结束", "finalised": "已确认结果",
        "corrected": "已更正", "withdrawn": "已撤回",
    }  # fmt: skip
    for enum in (Decision, Programme, HandlingBody, NoticeState, WindowPhase):
        for member in enum:
            assert member.label and member.label_en and str(member) == member.value


# --- Handling body ------------------------------------------------------------------------

BPW, KEY_RD = Programme.BASIC_PUBLIC_WELFARE, Programme.KEY_RD


@pytest.mark.parametrize(
    ("programmes", "expected"),
    [([BPW], HandlingBody.FOUNDATION_OFFICE), ([BPW, BPW], HandlingBody.FOUNDATION_OFFICE),
     ([KEY_RD], HandlingBody.DEPARTMENT), ([Programme.OTHER], HandlingBody.DEPARTMENT),
     ([KEY_RD, Programme.NATURAL_SCIENCE_FUND, Programme.SOFT_SCIENCE], HandlingBody.DEPARTMENT),
     (["basic_public_welfare"], HandlingBody.FOUNDATION_OFFICE), (iter([KEY_RD]),
     HandlingBody.DEPARTMENT)],
)  # fmt: skip
def test_handling_body_for(programmes, expected):
    assert handling_body_for(programmes) is expected


@pytest.mark.parametrize(
    ("programmes", "code"),
    [([BPW, KEY_RD], "mixed_handling_bodies"), ([Programme.OTHER, BPW], "mixed_handling_bodies"),
     ([], "no_items"), (["bogus"], "unknown_code")],
)  # fmt: skip
def test_handling_body_for_refuses(programmes, code):
    with pytest.raises(GuardError) as info:
        handling_body_for(programmes)
    assert info.value.code == code


@given(st.lists(st.sampled_from(list(Programme)), min_size=1))
def test_handling_body_property(programmes):
    if all(p is BPW for p in programmes):
        assert handling_body_for(programmes) is HandlingBody.FOUNDATION_OFFICE
    elif BPW not in programmes:
        assert handling_body_for(programmes) is HandlingBody.DEPARTMENT
    else:
        with pytest.raises(GuardError, match="省自然科学基金委员会办公室"):
            handling_body_for(programmes)


# --- Publicity window ---------------------------------------------------------------------


def test_concrete_window():
    w = PublicityWindow(date(2026, 3, 3))
    assert w.days == windows.DEFAULT_PUBLICITY_DAYS == 7
    assert w.end_date == date(2026, 3, 9)
    assert w.opens_at == utc(2026, 3, 2, 16)
    assert w.closes_at == utc(2026, 3, 9, 16)
    assert w.opens_at.tzinfo == dates.PUBLICITY_TZ == ZoneInfo("Asia/Shanghai")
    assert not w.is_open(utc(2026, 3, 2, 15, 59, 59, 999999))
    assert w.is_open(utc(2026, 3, 2, 16))
    assert w.is_open(utc(2026, 3, 9, 15, 59, 59))
    assert not w.is_open(utc(2026, 3, 9, 16))
    assert w.phase(utc(2026, 3, 1)) is WindowPhase.NOT_STARTED
    assert w.phase(utc(2026, 3, 5)) is WindowPhase.OPEN
    assert w.phase(utc(2026, 3, 9, 16)) is WindowPhase.CLOSED
    assert "2026年3月9日24时" in w.label and "9 March 2026" in w.label_en


@given(START_DATES, DAYS)
@example(date(2026, 3, 3), 7)
@example(date(2100, 12, 31), 30)
def test_window_boundaries(start, days):
    w = PublicityWindow(start, days)
    assert (w.end_date - w.start_date).days == days - 1
    first = local_midnight_utc(start)
    after = local_midnight_utc(start + timedelta(days=days))
    assert w.opens_at == first and w.closes_at == after
    assert w.is_open(first)
    assert not w.is_open(first - US)
    assert w.is_open(after - US)
    assert w.is_open(after - timedelta(seconds=1))
    assert not w.is_open(after)
    assert w.phase(first - US) is WindowPhase.NOT_STARTED
    assert w.phase(after) is WindowPhase.CLOSED
    assert w.days_left(first) == days
    assert w.days_left(after - US) == 1
    assert w.days_left(after) == 0
    assert w.days_left(first - US) == days


@given(
    START_DATES,
    DAYS,
    st.datetimes(min_value=datetime(1999, 12, 1), max_value=datetime(2101, 3, 1)),
    st.sampled_from([UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")]),
)
def test_is_open_matches_local_date(start, days, naive, tz):
    w = PublicityWindow(start, days)
    at = naive.replace(tzinfo=tz)
    local = at.astimezone(CST).date()
    assert local_date(at) == local
    assert w.is_open(at) == (w.start_date <= local <= w.end_date)


@given(START_DATES, DAYS, st.integers(min_value=-3 * 86_400, max_value=33 * 86_400))
def test_instants_near_window(start, days, offset_seconds):
    w = PublicityWindow(start, days)
    at = local_midnight_utc(start) + timedelta(seconds=offset_seconds, microseconds=offset_seconds)
    local = at.astimezone(CST).date()
    is_open = start <= local <= w.end_date
    assert w.is_open(at) == is_open
    if is_open:
        assert w.days_left(at) == (w.end_date - local).days + 1
        assert 1 <= w.days_left(at) <= days
    else:
        assert w.days_left(at) == (days if local < start else 0)


def test_days_left_examples():
    w = PublicityWindow(date(2026, 3, 3))
    assert w.days_left(utc(2026, 3, 1)) == 7
    assert w.days_left(utc(2026, 3, 2, 16)) == 7  # 3 March 00:00 in China
    assert w.days_left(utc(2026, 3, 3, 15, 59)) == 7
    assert w.days_left(utc(2026, 3, 3, 16)) == 6
    assert w.days_left(utc(2026, 3, 5, 12)) == 5
    assert w.days_left(utc(2026, 3, 8, 16)) == 1  # 9 March in China
    assert w.days_left(utc(2026, 3, 9, 16)) == 0
    assert PublicityWindow(date(2026, 3, 3), 1).days_left(utc(2026, 3, 3)) == 1


@pytest.mark.parametrize(
    "call",
    [lambda w, t: w.is_open(t), lambda w, t: w.phase(t), lambda w, t: w.days_left(t),
     lambda w, t: local_date(t), lambda w, t: check_publish_start(date(2026, 3, 3), t),
     lambda w, t: state_at(NoticeFacts(approved=True, window=w), t),
     lambda w, t: check_finalise(w, t, 0), lambda w, t: check_objection(w, t)],
)  # fmt: skip
def test_naive_datetime_refused(call):
    with pytest.raises(ValueError):
        call(PublicityWindow(date(2026, 3, 3)), datetime(2026, 3, 5, 12))


@pytest.mark.parametrize(("days", "exc"), [(0, ValueError), (-1, ValueError), (True, ValueError)])
def test_window_days_must_be_positive(days, exc):
    with pytest.raises(exc):
        PublicityWindow(date(2026, 3, 3), days)


def test_window_start_must_be_a_date():
    with pytest.raises(TypeError):
        PublicityWindow(datetime(2026, 3, 3, tzinfo=UTC))


# --- Notice states ------------------------------------------------------------------------

S = NoticeState
EXPECTED_ALLOWED = {
    (S.DRAFT, S.IN_REVIEW), (S.IN_REVIEW, S.DRAFT), (S.IN_REVIEW, S.APPROVED),
    (S.APPROVED, S.UNDER_PUBLICITY), (S.APPROVED, S.DRAFT), (S.APPROVED, S.WITHDRAWN),
    (S.UNDER_PUBLICITY, S.CLOSED), (S.UNDER_PUBLICITY, S.CORRECTED),
    (S.UNDER_PUBLICITY, S.WITHDRAWN), (S.CLOSED, S.FINALISED), (S.CLOSED, S.CORRECTED),
    (S.CLOSED, S.WITHDRAWN), (S.FINALISED, S.CORRECTED),
}  # fmt: skip


def test_transition_table_is_as_specified():
    table = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert table == EXPECTED_ALLOWED
    assert set(ALLOWED_TRANSITIONS) == set(NoticeState)
    assert ALLOWED_TRANSITIONS[S.CORRECTED] == ALLOWED_TRANSITIONS[S.WITHDRAWN] == frozenset()


@pytest.mark.parametrize("target", list(NoticeState))
@pytest.mark.parametrize("current", list(NoticeState))
def test_check_transition(current, target):
    if (current, target) in EXPECTED_ALLOWED:
        check_transition(current, target)
        return
    with pytest.raises(GuardError) as info:
        check_transition(current, target)
    err = info.value
    assert err.code == "transition_not_allowed" and err.field == "state"
    assert current.label in str(err) and target.label in str(err)
    assert current.label_en in err.message_en and target.label_en in err.message_en


def test_transition_facts():
    check_transition(S.CLOSED, S.FINALISED)
    check_transition("approved", "draft")
    with pytest.raises(GuardError, match=r"草稿.*已确认结果"):
        check_transition(S.DRAFT, S.FINALISED)
    with pytest.raises(GuardError):
        check_transition(S.UNDER_PUBLICITY, S.FINALISED)
    with pytest.raises(GuardError):
        check_transition(S.FINALISED, S.DRAFT)


WINDOW = PublicityWindow(date(2026, 3, 3))


@pytest.mark.parametrize(
    ("facts", "at", "expected"),
    [
        (NoticeFacts(), utc(2026, 3, 5), S.DRAFT),
        (NoticeFacts(in_review=True), utc(2026, 3, 5), S.IN_REVIEW),
        (NoticeFacts(approved=True), utc(2026, 3, 5), S.APPROVED),
        (NoticeFacts(approved=True, window=WINDOW), utc(2026, 3, 2, 15, 59), S.APPROVED),
        (NoticeFacts(approved=True, window=WINDOW), utc(2026, 3, 2, 16), S.UNDER_PUBLICITY),
        (NoticeFacts(approved=True, window=WINDOW), utc(2026, 3, 9, 15, 59), S.UNDER_PUBLICITY),
        (NoticeFacts(approved=True, window=WINDOW), utc(2026, 3, 9, 16), S.CLOSED),
        (NoticeFacts(approved=True, window=WINDOW, finalised=True), utc(2026, 4, 1), S.FINALISED),
        (NoticeFacts(approved=True, window=WINDOW, finalised=True, corrected=True),
         utc(2026, 4, 1), S.CORRECTED),
        (NoticeFacts(approved=True, window=WINDOW, corrected=True, withdrawn=True),
         utc(2026, 3, 5), S.WITHDRAWN),
        (NoticeFacts(window=WINDOW), utc(2026, 3, 5), S.DRAFT),
    ],
)  # fmt: skip
def test_state_at(facts, at, expected):
    assert state_at(facts, at) is expected


# --- Item guards --------------------------------------------------------------------------

EXEMPTION = ItemFacts(
    label=LABEL,
    decision=Decision.EXEMPTED,
    grounds=("A2",),
    panel_size=5,
    technical_members=3,
    financial_members=2,
)
REJECTION = ItemFacts(
    label=LABEL,
    decision=Decision.REJECTED,
    reasons=("X3",),
    explanation="项目实施过程中存在科研失信行为。",
)


@pytest.mark.parametrize(
    "item",
    [
        EXEMPTION,
        dataclasses.replace(EXEMPTION, grounds=list(GROUNDS), explanation="说明"),
        dataclasses.replace(EXEMPTION, panel_size=9, technical_members=1, financial_members=1),
        dataclasses.replace(EXEMPTION, technical_members=4, financial_members=1),
        REJECTION,
        dataclasses.replace(REJECTION, reasons=list(REJECTION_REASONS)),
        dataclasses.replace(REJECTION, reasons=["out_of_scope"], panel_size=None),
        dataclasses.replace(REJECTION, decision="rejected"),
    ],
)
def test_valid_items_pass(item):
    assert check_item(item) == []
    ensure_item(item)


@pytest.mark.parametrize(
    ("base", "changes", "code", "field"),
    [
        (REJECTION, {"reasons": ()}, "rejection_needs_reason", "reasons"),
        (REJECTION, {"reasons": ("X3", "X9")}, "unknown_code", "reasons"),
        (REJECTION, {"explanation": " \n\u3000"}, "rejection_needs_explanation", "explanation"),
        (REJECTION, {"explanation": ""}, "rejection_needs_explanation", "explanation"),
        (REJECTION, {"grounds": ("A1",)}, "rejection_has_grounds", "grounds"),
        (EXEMPTION, {"grounds": ()}, "exemption_needs_ground", "grounds"),
        (EXEMPTION, {"grounds": ("A1", "A7")}, "unknown_code", "grounds"),
        (EXEMPTION, {"reasons": ("X1",)}, "exemption_has_exclusion", "reasons"),
        (EXEMPTION, {"reasons": ("out_of_scope",)}, "exemption_has_exclusion", "reasons"),
        (EXEMPTION, {"grounds": ("A1", "X2")}, "exemption_has_exclusion", "grounds"),
        (EXEMPTION, {"panel_size": None}, "panel_missing", "panel_size"),
        (EXEMPTION, {"panel_size": 4, "technical_members": 2, "financial_members": 1},
         "panel_too_small", "panel_size"),
        (EXEMPTION, {"technical_members": 0}, "panel_needs_technical", "technical_members"),
        (EXEMPTION, {"technical_members": None}, "panel_needs_technical", "technical_members"),
        (EXEMPTION, {"financial_members": 0}, "panel_needs_financial", "financial_members"),
        (EXEMPTION, {"financial_members": None}, "panel_needs_financial", "financial_members"),
        (EXEMPTION, {"technical_members": 4, "financial_members": 2}, "panel_inconsistent",
         "panel_size"),
        (EXEMPTION, {"decision": "maybe"}, "unknown_code", "decision"),
    ],
)  # fmt: skip
def test_item_guard_refuses(base, changes, code, field):
    item = dataclasses.replace(base, **changes)
    errors = check_item(item)
    assert [e.code for e in errors] == [code]
    err = errors[0]
    assert err.field == field and err.item == LABEL
    assert str(err).startswith(f"事项 {LABEL}：") and err.message == str(err)
    assert err.message_en.startswith(f"Item {LABEL}: ")
    assert not re.search(r"[\u4e00-\u9fff]", err.message_en)
    assert err.as_dict() == {"code": code, "message": err.message, "message_en": err.message_en,
                             "field": field, "item": LABEL}  # fmt: skip
    with pytest.raises(GuardError) as info:
        ensure_item(item)
    assert info.value.code == code


def test_item_messages_are_specific():
    [err] = check_item(dataclasses.replace(REJECTION, reasons=()))
    assert str(err) == "事项 ZJ2026-001：不予认定须至少选择一项理由。"
    assert err.message_en == "Item ZJ2026-001: a rejection needs at least one reason code."
    [err] = check_item(dataclasses.replace(REJECTION, reasons=("X9",)))
    assert "X9" in str(err) and "X9" in err.message_en
    [err] = check_item(dataclasses.replace(EXEMPTION, panel_size=3, technical_members=1,
                                           financial_members=1))  # fmt: skip
    assert "5" in str(err) and "3" in str(err)
    [err] = check_item(dataclasses.replace(EXEMPTION, grounds=("A1", "X1"), reasons=("X2",)))
    assert "（X1、X2）" in str(err) and "(X1, X2)" in err.message_en


def test_messages_without_item_start_with_a_capital():
    with pytest.raises(GuardError) as info:
        handling_body_for(["bogus"])
    assert info.value.message_en == "Unknown programme code: bogus."
    assert str(info.value) == "未知的计划类别代码：bogus。"


def test_check_item_reports_every_problem():
    bad_rejection = ItemFacts(LABEL, Decision.REJECTED, grounds=("A1",), reasons=(), explanation="")
    assert [e.code for e in check_item(bad_rejection)] == [
        "rejection_needs_reason",
        "rejection_needs_explanation",
        "rejection_has_grounds",
    ]
    bad_exemption = ItemFacts(LABEL, Decision.EXEMPTED, reasons=("X4",))
    assert [e.code for e in check_item(bad_exemption)] == [
        "exemption_needs_ground",
        "exemption_has_exclusion",
        "panel_missing",
    ]
    with pytest.raises(GuardError) as info:
        ensure_item(bad_exemption)
    assert info.value.code == "exemption_needs_ground"


def test_item_without_label_has_no_prefix():
    [err] = check_item(dataclasses.replace(REJECTION, label="  ", reasons=()))
    assert err.item is None and str(err) == "不予认定须至少选择一项理由。"


def test_item_facts_normalise_codes():
    item = ItemFacts(LABEL, Decision.EXEMPTED, grounds=["A1", "A1", "A2"], reasons=[])
    assert item.grounds == ("A1", "A2") and item.reasons == ()
    hash(item)
    with pytest.raises(TypeError):
        ItemFacts(LABEL, Decision.EXEMPTED, grounds="A1")


@given(*(st.one_of(st.none(), st.integers(min_value=-1, max_value=12)) for _ in range(3)))
def test_panel_rule_property(size, tech, fin):
    item = dataclasses.replace(
        EXEMPTION, panel_size=size, technical_members=tech, financial_members=fin
    )
    valid = (
        size is not None
        and tech is not None
        and fin is not None
        and size >= rules.MIN_PANEL_SIZE
        and tech >= 1
        and fin >= 1
        and tech + fin <= size
    )
    assert (check_item(item) == []) == valid


@given(
    st.lists(st.sampled_from(list(REJECTION_REASONS)), min_size=1),
    st.text(min_size=1).filter(str.strip),
)
def test_any_reasoned_rejection_passes(reasons, explanation):
    item = dataclasses.replace(REJECTION, reasons=reasons, explanation=explanation)
    assert check_item(item) == []


def test_check_items():
    [err] = check_items([])
    assert err.code == "no_items"
    other = dataclasses.replace(REJECTION, label="ZJ2026-002", explanation="")
    errors = check_items([EXEMPTION, other])
    assert [(e.item, e.code) for e in errors] == [("ZJ2026-002", "rejection_needs_explanation")]
    assert check_items(iter([EXEMPTION, REJECTION])) == []


# --- Notice guards ------------------------------------------------------------------------


def test_publish_start_today_in_china_is_allowed():
    now = utc(2026, 3, 2, 16, 30)  # 3 March 00:30 in China, still 2 March in UTC
    check_publish_start(date(2026, 3, 3), now)
    check_publish_start(date(2026, 4, 1), now)


def test_publish_start_in_past_is_refused():
    now = utc(2026, 3, 2, 16, 30)
    with pytest.raises(GuardError) as info:
        check_publish_start(date(2026, 3, 2), now)
    err = info.value
    assert err.code == "start_in_past" and err.field == "start_date"
    assert "2026年3月2日" in str(err) and "2026年3月3日" in str(err)
    assert "2 March 2026" in err.message_en


def test_finalise_refused_while_window_open():
    with pytest.raises(GuardError) as info:
        check_finalise(WINDOW, utc(2026, 3, 9, 15, 59, 59), 0)
    assert info.value.code == "window_open"
    assert "公示期至2026年3月9日24时结束" in str(info.value)
    assert "9 March 2026" in info.value.message_en


def test_finalise_refused_before_window_starts():
    with pytest.raises(GuardError) as info:
        check_finalise(WINDOW, utc(2026, 3, 2, 15), 0)
    assert info.value.code == "window_not_started"
    assert "2026年3月9日24时" in str(info.value)


def test_finalise_refused_with_unanswered_objections():
    with pytest.raises(GuardError) as info:
        check_finalise(WINDOW, utc(2026, 3, 9, 16), 2)
    assert info.value.code == "objections_unanswered" and "2" in str(info.value)
    with pytest.raises(GuardError) as info:
        check_finalise(WINDOW, utc(2026, 3, 5), 2)
    assert info.value.code == "window_open"
    with pytest.raises(ValueError):
        check_finalise(WINDOW, utc(2026, 3, 10), -1)


def test_finalise_allowed_after_window_with_all_answered():
    check_finalise(WINDOW, utc(2026, 3, 9, 16), 0)
    check_finalise(WINDOW, utc(2027, 1, 1), 0)


def test_objection_window():
    check_objection(WINDOW, utc(2026, 3, 2, 16))
    check_objection(WINDOW, utc(2026, 3, 9, 15, 59, 59, 999999))
    with pytest.raises(GuardError) as info:
        check_objection(WINDOW, utc(2026, 3, 9, 16))
    assert info.value.code == "window_closed" and "2026年3月9日24时" in str(info.value)
    with pytest.raises(GuardError) as info:
        check_objection(WINDOW, utc(2026, 3, 2, 15, 59))
    assert info.value.code == "window_not_started" and "2026年3月3日" in str(info.value)


# --- GuardError ---------------------------------------------------------------------------


def test_guard_error_basics():
    err = GuardError("x_code")
    assert isinstance(err, Exception)
    assert (err.code, str(err), err.message_en, err.field, err.item) == (
        "x_code", "x_code", "x_code", None, None
    )  # fmt: skip
    err = GuardError("c", "中文", "English", field="f", item="i")
    assert str(err) == "中文" and err.message_en == "English" and "c" in repr(err)


def test_every_message_has_both_languages():
    for code, (zh, en) in MESSAGES.items():
        assert zh and en and re.search(r"[\u4e00-\u9fff]", zh), code
        assert not re.search(r"[\u4e00-\u9fff]", en), code
