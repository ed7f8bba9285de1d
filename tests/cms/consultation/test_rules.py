"""The comment window as plain Python: dates included at both ends, Asia/Shanghai time."""

import datetime

import pytest

from cms.consultation.rules import check_comment
from cms.domain.dates import PUBLICITY_TZ
from cms.domain.errors import GuardError
from cms.domain.windows import comment_window, window_summary

OPENS, CLOSES = datetime.date(2026, 3, 3), datetime.date(2026, 3, 16)


def at(day: datetime.date, hour=0, minute=0, microsecond=0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute, 0, microsecond), tzinfo=PUBLICITY_TZ
    )


@pytest.fixture
def window():
    return comment_window(OPENS, CLOSES)


def test_the_window_spans_both_dates_included(window):
    assert (window.start_date, window.end_date, window.days) == (OPENS, CLOSES, 14)
    assert window.closes_at == at(CLOSES + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("instant", "code"),
    [
        (at(OPENS) - datetime.timedelta(microseconds=1), "window_not_started"),
        (at(OPENS), None),
        (at(CLOSES, 23, 59, 999999), None),
        (at(CLOSES + datetime.timedelta(days=1)), "window_closed"),
        # 16:00 UTC on the last day is already the next day in Shanghai.
        (datetime.datetime(2026, 3, 16, 16, 0, tzinfo=datetime.UTC), "window_closed"),
    ],
)
def test_comments_only_inside_the_window(window, instant, code):
    if code is None:
        check_comment(window, instant, in_consultation=True)
        return
    with pytest.raises(GuardError) as excinfo:
        check_comment(window, instant, in_consultation=True)
    error = excinfo.value
    assert error.code == code
    assert "征求意见期" in error.message and "2026年3月16日" in error.message
    assert "16 March 2026" in error.message_en


def test_a_policy_not_in_consultation_takes_no_comments_even_inside_its_window(window):
    with pytest.raises(GuardError) as excinfo:
        check_comment(window, at(OPENS, 12), in_consultation=False)
    assert excinfo.value.code == "not_in_consultation"


def test_no_window_means_no_comments():
    assert comment_window(OPENS, None) is None and comment_window(None, CLOSES) is None
    with pytest.raises(GuardError) as excinfo:
        check_comment(None, at(OPENS), in_consultation=True)
    assert excinfo.value.code == "no_comment_window"


def test_a_window_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValueError):
        comment_window(CLOSES, OPENS)


def test_a_one_day_window_is_the_whole_day():
    one = comment_window(OPENS, OPENS)
    assert one.is_open(at(OPENS)) and one.is_open(at(OPENS, 23, 59))
    assert not one.is_open(at(OPENS + datetime.timedelta(days=1)))


def test_summary_for_the_read_api(window):
    during = window_summary(window, at(datetime.date(2026, 3, 10), 9), in_consultation=True)
    assert during["state"] == "open" and during["accepting"] is True
    assert during["days_left"] == 7  # 10 March to 16 March, both included
    assert (during["opens_on"], during["closes_on"]) == ("2026-03-03", "2026-03-16")
    assert during["dates_zh"] == "2026年3月3日至2026年3月16日"
    issued = window_summary(window, at(datetime.date(2026, 3, 10)), in_consultation=False)
    assert issued["state"] == "open" and issued["accepting"] is False
    after = window_summary(window, at(datetime.date(2026, 3, 17)), in_consultation=True)
    assert (after["state"], after["days_left"], after["accepting"]) == ("closed", 0, False)


REFS = ["二", "二（二）", "二（三）", "二（三）1", "二（三）3", "三（一）"]


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("建议修改二（三）3的表述。", ["二（三）3"]),
        ("二(三)３与三（一）应一并修改，二（三）也是。", ["二（三）3", "三（一）", "二（三）"]),
        ("二（三）31并不存在，二（二）存在。", ["二（三）", "二（二）"]),
        ("第二部分写得很好。", []),  # a section's bare numeral is not looked for
        ("二（三）3、二（三）3，重复。", ["二（三）3"]),
    ],
)
def test_a_comment_cites_clauses_by_their_numbers(text, cited):
    from cms.consultation.rules import cited_clauses

    assert cited_clauses(text, REFS) == cited
