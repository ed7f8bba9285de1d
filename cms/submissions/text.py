"""Text as the public types it, for every public submission: one Unicode form (NFC), no
character that hides or reorders what a reader sees, line breaks only in fields that have lines.

Refused everywhere: C0 and C1 control characters (NUL included) and DEL, lone surrogates (no
database stores them), zero-width characters (U+200B–U+200D, U+2060, U+FEFF) and the bidi
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). A one-line field refuses
tabs and line breaks inside the text too; a multi-line field keeps them, with every line break
written as ``\\n``. Whitespace around the text is removed in both.
"""

import re
import unicodedata

# Character classes as regular-expression escapes, read the same way by Python and ECMA-262.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_HIDDEN = r"\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_SURROGATES = r"\ud800-\udfff"
_BREAKS = r"\t\n\r\u2028\u2029"

FORBIDDEN = re.compile(f"[{_CONTROLS}{_HIDDEN}{_SURROGATES}]")
LINE_BREAK = re.compile(f"[{_BREAKS}]")
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029]")


def pattern(*, multiline: bool, optional: bool = False) -> str:
    """The pattern, for the OpenAPI document, of the text a field accepts: no refused character,
    and one that is not whitespace (or nothing at all, if ``optional``). Lone surrogates are left
    out: an ECMA-262 pattern without the ``u`` flag would see them in every character beyond the
    BMP. The server also takes whitespace around the text, which it removes."""
    refused = _CONTROLS + _HIDDEN + ("" if multiline else _BREAKS)
    text = f"[^{refused}]*[^{refused}\\s][^{refused}]*"
    return f"^({text})?$" if optional else f"^{text}$"


def refusal(text: str, *, multiline: bool) -> str | None:
    """Why ``text`` is refused, as an error code (``forbidden_characters``, ``line_break``), or
    None. Whitespace around the text does not count: it is removed."""
    if FORBIDDEN.search(text):
        return "forbidden_characters"
    if not multiline and LINE_BREAK.search(text.strip()):
        return "line_break"
    return None


def normalise(text: str, *, multiline: bool) -> str:
    """NFC, line breaks as ``\\n`` (multi-line text), and no whitespace around the text."""
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = _NEWLINES.sub("\n", text)
    return text.strip()
