"""Amounts of money as integer cents, so that sums are exact."""

import re

AMOUNT = re.compile(r"[+-]?[0-9]+(\.[0-9]{1,2})?")


def to_cents(text):
    """Parses a decimal amount such as "12.50", "-3" or "0.29" into cents.

    Raises ValueError for text that is not an amount or has more than two decimals.
    """
    text = text.strip()
    if not AMOUNT.fullmatch(text):
        raise ValueError(f"not an amount with at most two decimals: {text!r}")
    return int(float(text) * 100)


def format_cents(cents):
    """Formats cents as a decimal amount with two decimals: 1250 -> "12.50", -5 -> "-0.05"."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole}.{fraction:02d}"
