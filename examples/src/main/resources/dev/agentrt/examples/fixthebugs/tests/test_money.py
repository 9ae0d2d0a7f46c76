from ledger.money import format_cents, to_cents


def test_whole_and_fractional_amounts():
    assert to_cents("12.50") == 1250
    assert to_cents("-3") == -300
    assert to_cents(" 7.05 ") == 705


def test_amounts_that_binary_floats_cannot_hold():
    assert to_cents("0.29") == 29
    assert to_cents("19.99") == 1999
    assert to_cents("4.35") == 435


def test_bad_amounts_are_refused():
    for text in ["", "abc", "1.234", "1.2.3", "--1"]:
        try:
            to_cents(text)
        except ValueError:
            continue
        raise AssertionError(f"accepted {text!r}")


def test_formatting():
    assert format_cents(1250) == "12.50"
    assert format_cents(-5) == "-0.05"
    assert format_cents(0) == "0.00"
