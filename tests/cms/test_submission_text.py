"""The text rule of public submissions (cms.submissions.text) and the pattern the OpenAPI document
states for it agree: what the pattern admits the server accepts, and every character the server
refuses the pattern excludes."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cms.submissions import text

REFUSED = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
           0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
           0xD800, 0xDFFF]  # fmt: skip
BREAKS = ["\t", "\n", "\r", "\u2028", "\u2029"]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.data(), st.booleans())
def test_what_the_documented_pattern_admits_is_accepted(data, multiline):
    value = data.draw(st.from_regex(text.pattern(multiline=multiline), fullmatch=True))
    assert text.refusal(value, multiline=multiline) is None
    assert text.normalise(value, multiline=multiline)


def test_every_refused_character_is_refused_and_outside_the_pattern():
    for multiline in (False, True):
        documented = re.compile(text.pattern(multiline=multiline))
        for code in REFUSED:
            value = f"赵{chr(code)}异议"
            assert text.refusal(value, multiline=multiline) == "forbidden_characters", hex(code)
            if not 0xD800 <= code <= 0xDFFF:  # left out of the pattern: see text.pattern
                assert not documented.search(value), hex(code)
        for char in BREAKS:
            value = f"赵{char}异议"
            expected = None if multiline else "line_break"
            assert text.refusal(value, multiline=multiline) == expected, repr(char)
            assert bool(documented.search(value)) is multiline, repr(char)


def test_text_is_nfc_and_trimmed_and_lines_end_in_newlines():
    assert text.normalise(" Zoe\u0308\n", multiline=False) == "Zo\u00eb"
    assert text.normalise("a\r\nb\rc\u2028d\u2029e\n", multiline=True) == "a\nb\nc\nd\ne"
    assert text.refusal("  赵异议 \n", multiline=False) is None  # whitespace around is removed
    assert text.refusal("", multiline=False) is None
