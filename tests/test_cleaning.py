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
