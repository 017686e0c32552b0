"""Language and currency codes, checked against Babel's CLDR data (imported lazily)."""

from __future__ import annotations

__all__ = ["is_currency", "is_language"]


def is_language(code: str) -> bool:
    """True for a BCP 47 tag whose language Babel knows (``fr-FR``, ``fr``, ``en-GB``)."""
    from babel import Locale, UnknownLocaleError

    if not code or code != code.strip():
        return False
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def is_currency(code: str | None) -> bool:
    """True for an ISO 4217 code that Babel knows (``EUR``)."""
    from babel.numbers import list_currencies

    return code is not None and code in list_currencies()
