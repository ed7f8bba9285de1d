"""Print tests read Chinese back from PDFs whatever CJK font the machine has."""

import unicodedata

from .browser import PrintedText


def test_compatibility_forms_of_a_noto_cjk_pdf_match_the_plain_text():
    from_noto = PrintedText(unicodedata.normalize("NFKC", "公⽰期：仅供参考，不构成认定结论"))
    assert "公示期" in from_noto
    assert "仅供参考，不构成认定结论" in from_noto
    assert "异议" not in from_noto
