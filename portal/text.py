"""Plain text from the CMS, as the templates show it."""

import re


def paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def tel_href(phone: str) -> str:
    """A phone number as a ``tel:`` link ('' when it has no digits)."""
    digits = re.sub(r"[^0-9+]", "", phone or "")
    return f"tel:{digits}" if digits else ""
