from ledger.entries import Entry
from ledger.report import balance_after_each, monthly_totals


def test_monthly_totals_keep_years_apart():
    entries = [
        Entry("2026-03-02", "rent", -90000),
        Entry("2025-03-10", "rent", -85000),
        Entry("2026-03-20", "refund", 1500),
        Entry("2026-04-01", "rent", -90000),
    ]
    assert list(monthly_totals(entries).items()) == [
        ("2025-03", -85000),
        ("2026-03", -88500),
        ("2026-04", -90000),
    ]


def test_running_balance():
    entries = [Entry("2026-01-01", "a", 1000), Entry("2026-01-02", "b", -250)]
    assert balance_after_each(entries, opening=100) == [1100, 850]
