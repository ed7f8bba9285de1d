import pytest

from cms.policies.seed_parser import SeedFormatError, parse_policy_text


def test_header_lines_become_issuer_title_and_status(seed_text):
    parsed = parse_policy_text(seed_text)
    assert parsed.issuing_body == "浙江省科学技术厅"
    assert parsed.title == "关于构建科技创新容错免责机制的实施意见（试行）"
    assert parsed.status_text == "征求意见稿"
    assert parsed.preamble.startswith("为进一步加快人才强省")


def test_sections_in_order_including_those_whose_number_was_lost(seed_text):
    sections = [s["value"] for s in parse_policy_text(seed_text).sections]
    assert [(s["number"], s["heading"]) for s in sections] == [
        ("一", "总体要求"),
        ("二", "适用情形"),
        ("三", "认定程序"),
        ("四", "结果应用"),
        ("五", "纠错机制"),
        ("六", "保障措施"),
    ]


def test_grounds_and_exclusions_are_numbered_clauses(seed_text):
    scope = parse_policy_text(seed_text).sections[1]["value"]["content"]
    grounds, exclusions = scope[1]["value"], scope[2]["value"]
    assert grounds["heading"] == "容错免责的适用情形"
    assert [c["value"]["number"] for c in grounds["content"] if c["type"] == "clause"] == list(
        "12345"
    )
    assert exclusions["content"][-1]["value"]["text"].startswith("法律法规规章和有关规定明确")


def test_paragraph_after_inline_subsection_belongs_to_the_section(seed_text):
    procedure = parse_policy_text(seed_text).sections[2]["value"]["content"]
    assert procedure[-1]["type"] == "paragraph"
    assert procedure[-1]["value"].startswith("省基础公益研究专项")


def test_block_ids_are_stable(seed_text):
    assert parse_policy_text(seed_text).stream_data() == parse_policy_text(seed_text).stream_data()


def test_refuses_text_without_status_line():
    with pytest.raises(SeedFormatError, match="status"):
        parse_policy_text("机关\n标题\n没有状态\n正文")
