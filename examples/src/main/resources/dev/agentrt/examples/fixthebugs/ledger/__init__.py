"""A small bookkeeping library: amounts in integer cents, CSV entries, monthly reports."""

from ledger.money import format_cents, to_cents
from ledger.entries import Entry, read_entries
from ledger.report import balance_after_each, monthly_totals

__all__ = ["Entry", "balance_after_each", "format_cents", "monthly_totals", "read_entries", "to_cents"]
