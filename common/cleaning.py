"""The one HTML allowlist. Every fragment that crosses a boundary (editor rich text into the
portal, text a member of the public submits) is cleaned here, once, with one reused Cleaner."""

import html
import re

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "li", "ol", "p", "strong", "sub", "sup", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})

_html_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_text_cleaner = bleach.Cleaner(tags=set(), attributes={}, strip=True, strip_comments=True)
# What the text cleaner changes: markup and entities, and the control characters it removes or
# replaces (a carriage return becomes a line feed). Text without any comes out as it went in.
_CLEANER_CHANGES = re.compile(r"[<&\x00-\x08\x0b-\x1f]")


def clean_html(fragment: str | None) -> str:
    """Rich text reduced to the allowlist: scripts, styles, event handlers and unknown tags go."""
    if not fragment:
        return ""
    return _html_cleaner.clean(fragment)


def clean_text(text: str | None) -> str:
    """Plain text with every tag removed (unescaped again: store it as text, escape on output).
    Text the cleaner would give back as it is (most text: no ``<``, ``&`` or control character)
    is not parsed."""
    if not text:
        return ""
    if not _CLEANER_CHANGES.search(text):
        return text
    return html.unescape(_text_cleaner.clean(text))


__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "clean_html", "clean_text"]
