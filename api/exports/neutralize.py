"""CSV/formula injection (OWASP): text a spreadsheet would read as a formula is kept as text.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
before looking for one) is evaluated by Excel, LibreOffice and Google Sheets when the file is opened:
`=HYPERLINK(...)` in a vendor name becomes a live link, `=cmd|...` once ran commands. A leading single
quote makes every one of them show the text as typed, so the text is kept and only the quote is added.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """`value` unchanged, or prefixed with `'` when a spreadsheet would evaluate it."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
