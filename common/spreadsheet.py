"""CSV cells that a spreadsheet would not run as a formula.

Excel, LibreOffice and WPS read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or with a
tab or carriage return before one) as a formula, which can fetch URLs or run commands when the
file is opened. Such a cell is written with a leading apostrophe, which the spreadsheet shows as
text and hides; every other cell is written unchanged.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """The cell as a spreadsheet will show, never evaluate, it. Non-strings pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(row: dict[str, object]) -> dict[str, object]:
    return {name: neutralise_cell(value) for name, value in row.items()}
