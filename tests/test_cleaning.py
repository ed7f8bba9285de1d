from common.cleaning import clean_html, clean_text


def test_scripts_handlers_and_styles_are_removed():
    dirty = (
        '<p onclick="steal()">政策<script>alert(1)</script>'
        '<a href="javascript:alert(1)">链接</a><img src=x onerror=alert(1)>'
        '<span style="color:red">解读</span></p>'
    )
    cleaned = clean_html(dirty)
    assert "<script" not in cleaned
    assert "onclick" not in cleaned and "onerror" not in cleaned
    assert "javascript:" not in cleaned
    assert "<img" not in cleaned and "style=" not in cleaned
    assert cleaned.startswith("<p>政策")


def test_allowed_structure_survives():
    fragment = '<h3>标题</h3><ol><li><a href="https://kjt.zj.gov.cn/">省科技厅</a></li></ol>'
    assert clean_html(fragment) == fragment


def test_plain_text_loses_every_tag_but_keeps_the_words():
    assert clean_text("异议<b>理由</b> a < b") == "异议理由 a < b"
    assert clean_text(None) == ""


def test_text_the_cleaner_is_skipped_for_comes_out_as_the_cleaner_gives_it():
    """Text without ``<``, ``&`` or a control character is returned without parsing: checked
    against the cleaner itself on random text of every kind of character."""
    import html
    import random

    from common import cleaning

    alphabet = [
        *"ab >\"'=/\\;#%!?-", "\u3000", "\u00a0", "\u2028", "\u2029", "张", "é", "e\u0301",
        "\U0001f600", "\ufffe", "\ufdd0", "\U0010ffff", "\ud800", "\ufeff", "\u200b",
        *map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)),
    ]  # fmt: skip
    rng = random.Random(20261207)  # noqa: S311 (a fixed sample, not a secret)
    skipped = 0
    for _ in range(20_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        parsed = html.unescape(cleaning._text_cleaner.clean(value))
        assert clean_text(value) == parsed, repr(value)
        skipped += not cleaning._CLEANER_CHANGES.search(value)
    assert skipped > 1_500


def test_control_characters_and_carriage_returns_still_go_through_the_cleaner():
    assert clean_text("第一行\r\n第二行\x00\x1b") == "第一行\n第二行?"
