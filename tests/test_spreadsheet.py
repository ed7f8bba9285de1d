"""CSV cells a spreadsheet would run as a formula are written as text, in every CSV export."""

import csv
import io

import pytest

from common.spreadsheet import neutralise_cell
from portal.opendata import COLUMN_NAMES, decisions_csv

FORMULAS = ['=HYPERLINK("http://x.invalid","点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("cell", [*FORMULAS, "\t=1", "\r=1"])
def test_a_formula_cell_becomes_text(cell):
    assert neutralise_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["ZJ2026-001", "2026-12-07", "免责", "", "a=b", 7, None])
def test_other_cells_pass_unchanged(cell):
    assert neutralise_cell(cell) == cell


def test_the_portal_decisions_csv_neutralises_every_column():
    row = {name: f"=cmd|{name}" for name in COLUMN_NAMES}
    row["ground_codes"] = ["=1", "G2"]
    read = next(csv.DictReader(io.StringIO(decisions_csv([row]).decode("utf-8-sig"))))
    assert read["project_name"] == "'=cmd|project_name"
    assert read["ground_codes"] == "'=1;G2"
    assert all(value.startswith("'") for value in read.values())
