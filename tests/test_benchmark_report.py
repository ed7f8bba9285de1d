"""The figures section's account of finalising a notice, from a probe's result."""

from benchmarks.report import _finalise


def _written(count: int, of: int, by_top: dict[str, int], sample: list[str]) -> dict:
    return {"count": count, "of": of, "by_top": by_top, "sample": sample}


def _result(sources: list[str], count: int | None = None) -> dict:
    return {
        "notice_number": "浙科容免〔2026〕456号",
        "publicity_start": "2026-11-05",
        "marks": 1,
        "page": "notices/zkrm-2026-0456/",
        "live_parts": {"page": True, "results_listing": True},
        "finalise_seconds": 0.126,
        "live_seconds": 1.27,
        "build_process_seconds": 57.0,
        "total_seconds": 57.2,
        "build": {"status": 0, "seconds": 56.8, "phases": {"export": 0.7, "switch_again": 0.0}},
        "sources_written": _written(count or len(sources), 6206, {"listings": 3}, sources),
        "files_written": _written(1130, 10523, {"pagefind": 1094, "results": 1}, []),
    }


def test_no_probe_no_paragraph():
    assert _finalise(None) == []


def test_the_figures_the_counts_and_every_source_written():
    sources = ["listings/listing-closed-page-7.json", "listings/listing-results.json"]
    text = "\n\n".join(_finalise(_result(sources)))
    assert "1 item;" in text
    assert "| **finalise call → page and results listing in the live output** | **1.3 s** |" in text
    assert "| build: export | 700 ms |" in text
    assert "switch_again" not in text  # phases that took no time are left out
    assert "exported sources: **2** of 6,206 (`listings/` 3)" in text
    assert "site files: **1,130** of 10,523 (`pagefind/` 1094, `results/` 1)" in text
    assert "<summary>The exported sources written</summary>" in text
    assert "\n".join(sources) in text


def test_a_long_list_says_how_much_of_it_is_shown():
    sources = [f"listings/listing-closed-page-{n}.json" for n in range(50)]
    text = "\n\n".join(_finalise(_result(sources, count=78)))
    assert "<summary>The exported sources written (the first 50 of 78)</summary>" in text
