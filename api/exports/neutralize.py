"""CSV/formula injection (OWASP): text a spreadsheet would read as a formula is kept as text.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
before looking for one) is evaluated by Excel, LibreOffice and Google Sheets when the file is opened:
`=HYPERLINK(...)` in a vendor name becomes a live link, `=cmd|...` once ran commands. A leading single
quote makes every one of them show the text as typed, so the text is kept and only the quote is added.

Spreadsheets also read the compatibility forms of those characters as the plain ones (the full-width
U+FF1D, U+FF0B, U+FF0D, U+FF20 and the small U+FE66, U+FE62, U+FE63, U+FE6B), so the check looks at the
NFKC form of the text.
"""

from __future__ import annotations

import unicodedata

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """`value` unchanged, or prefixed with `'` when a spreadsheet would evaluate it."""
    # Only the start matters; normalizing a prefix keeps long cells cheap (NFKC of one character
    # never depends on what follows beyond a few combining marks).
    head = unicodedata.normalize("NFKC", value[:8])
    return "'" + value if head.startswith(FORMULA_TRIGGERS) else value
