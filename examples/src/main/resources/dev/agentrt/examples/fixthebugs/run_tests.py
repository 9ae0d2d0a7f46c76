"""Runs every test_* function in tests/test_*.py and prints one line per test and a summary.

A minimal runner with no dependencies beyond the standard library's core, so the suite also runs where
unittest is not installed (CPython for WASI). Exit status 1 when a test fails.
"""

import importlib
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def run(directory=HERE):
    sys.dont_write_bytecode = True
    if directory not in sys.path:
        sys.path.insert(0, directory)
    passed, failed = 0, []
    for name in sorted(os.listdir(os.path.join(directory, "tests"))):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        module = importlib.import_module("tests." + name[:-3])
        for attribute in sorted(vars(module)):
            test = getattr(module, attribute)
            if not (attribute.startswith("test_") and callable(test)):
                continue
            label = f"{module.__name__}.{attribute}"
            try:
                test()
            except Exception as error:  # noqa: BLE001 - a runner reports every failure
                frame = traceback.extract_tb(error.__traceback__)[-1]
                where = f"{os.path.relpath(frame.filename, directory)}:{frame.lineno}"
                failed.append(label)
                detail = str(error) or (frame.line or "").strip()
                print(f"FAIL {label} ({where}): {type(error).__name__}: {detail}")
            else:
                passed += 1
                print(f"ok   {label}")
    print(f"{passed} passed, {len(failed)} failed")
    return not failed


if __name__ == "__main__":
    sys.exit(0 if run() else 1)
