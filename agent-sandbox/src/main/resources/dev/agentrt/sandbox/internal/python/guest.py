# Runs the model's code for the code executor. The host calls run(code) once per fresh interpreter
# and reads back one JSON object: {"value": ...}, {"error": {...}} or {"exit": code}.
import ast
import json
import sys
import traceback

FILENAME = "<code>"


def _line(e):
    if isinstance(e, SyntaxError) and e.filename == FILENAME:
        return e.lineno or 0
    line = 0
    for frame in traceback.extract_tb(e.__traceback__):
        if frame.filename == FILENAME:
            line = frame.lineno or 0
    return line


def _error(e):
    return json.dumps({"error": {"type": type(e).__name__, "message": str(e), "line": _line(e)}})


class _Tools:
    """Code mode's tools object, which Python cannot have: this interpreter has no way to call the host."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise RuntimeError("tools." + name + " cannot be called from python: the python sandbox has no way to "
                           "reach the host's tools; run code that calls tools with language javascript")


def run(code):
    scope = {"__name__": "__main__", "__builtins__": __builtins__, "tools": _Tools()}
    try:
        tree = ast.parse(code, FILENAME, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, FILENAME, "exec"), scope)
        value = eval(compile(last, FILENAME, "eval"), scope) if last is not None else None
    except SystemExit as e:
        status = e.code
        if status is None:
            status = 0
        elif not isinstance(status, int):
            print(status, file=sys.stderr)
            status = 1
        return json.dumps({"exit": status})
    except BaseException as e:
        return _error(e)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    try:
        return json.dumps({"value": value}, allow_nan=False)
    except (TypeError, ValueError) as e:
        return json.dumps({"error": {"type": "TypeError",
                                     "message": "the result cannot be written as JSON: " + str(e), "line": 0}})
