"""Ledger entries and reading them from CSV text."""

import csv
import io
from dataclasses import dataclass

from ledger.money import to_cents


@dataclass(frozen=True)
class Entry:
    date: str  # ISO date, YYYY-MM-DD
    description: str
    cents: int


def read_entries(text):
    """Reads entries from CSV text with the header date,description,amount; blank lines are skipped."""
    rows = csv.DictReader(io.StringIO(text))
    missing = {"date", "description", "amount"} - set(rows.fieldnames or [])
    if missing:
        raise ValueError(f"missing columns: {', '.join(sorted(missing))}")
    entries = []
    for number, row in enumerate(rows, start=2):
        if not any((value or "").strip() for value in row.values()):
            continue
        date = row["date"].strip()
        if len(date) != 10 or date[4] != "-" or date[7] != "-":
            raise ValueError(f"line {number}: not a date: {date!r}")
        entries.append(Entry(date, row["description"].strip(), to_cents(row["amount"])))
    return entries
