# Runs the model's code for the code executor. The host calls run(request) once per fresh interpreter,
# the request a JSON object {"code": "...", "cwd": "/dir"} (cwd optional: the working directory, also put
# first on sys.path), and reads back one JSON object: {"value": ...}, {"error": {...}} or {"exit": code}.
import ast
import json
import os
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


def run(request):
    request = json.loads(request)
    code = request["code"]
    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        cwd = request.get("cwd")
        if cwd is not None:
            os.chdir(cwd)
            sys.path.insert(0, cwd)
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
