from ledger.entries import Entry, read_entries

CSV = """date,description,amount
2026-01-03,coffee beans,-14.90

2026-01-31,salary,2500.00
"""


def test_reads_entries_and_skips_blank_lines():
    assert read_entries(CSV) == [
        Entry("2026-01-03", "coffee beans", -1490),
        Entry("2026-01-31", "salary", 250000),
    ]


def test_missing_columns_are_named():
    try:
        read_entries("date,amount\n2026-01-01,1\n")
    except ValueError as e:
        assert "description" in str(e)
    else:
        raise AssertionError("accepted a file without descriptions")
