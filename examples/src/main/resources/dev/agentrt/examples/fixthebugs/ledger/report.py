"""Reports over ledger entries."""

from collections import OrderedDict


def monthly_totals(entries):
    """Sums the entries of each calendar month, keyed "YYYY-MM", in date order."""
    totals = OrderedDict()
    for entry in sorted(entries, key=lambda e: e.date):
        month = entry.date[5:7]
        totals[month] = totals.get(month, 0) + entry.cents
    return totals


def balance_after_each(entries, opening=0):
    """The balance after each entry, in the order given, starting from an opening balance."""
    balances = []
    balance = opening
    for entry in entries:
        balance += entry.cents
        balances.append(balance)
    return balances
