"""Text without ``<`` or ``&`` is not run through the markup cleaner: what the cleaner would
make of it is checked here to be the text itself, once normalised."""

import random

import pytest

from cms.submissions import text
from cms.submissions.serializers import CleanTextField, may_hold_markup
from common.cleaning import clean_text

CHARACTERS = [
    *"ab >\"'=/\\;#%!?-", "\r", "\n", "\t", " ", "\u3000", "\u00a0", "\u2028",
    "\u2029", "张", "明", "é", "e\u0301", "\U0001f600", "\ufffe", "\ufdd0", "\U0010ffff",
    "\x85", "\x00",
]  # fmt: skip


@pytest.mark.parametrize("multiline", [True, False])
def test_text_without_markup_characters_comes_out_of_the_cleaner_as_it_went_in(multiline):
    rng = random.Random(20261207)  # noqa: S311 (a fixed sample, not a secret)
    checked = 0
    for _ in range(20_000):
        value = "".join(rng.choice(CHARACTERS) for _ in range(rng.randint(0, 12)))
        if may_hold_markup(value) or text.refusal(value, multiline=multiline):
            continue
        cleaned = text.normalise(clean_text(value), multiline=multiline)
        assert cleaned == text.normalise(value, multiline=multiline), repr(value)
        checked += 1
    assert checked > 5_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<b>加粗</b>文字", "加粗文字"),
        ("A &amp; B", "A & B"),
        ("a > b", "a > b"),
        ("1 < 2", "1 < 2"),
        ("第一行\r\n第二行", "第一行\n第二行"),
    ],
)
def test_the_field_cleans_only_what_may_hold_markup(value, expected):
    assert CleanTextField(multiline=True).run_validation(value) == expected
