# Runs the model's code for the code executor. The host calls run(request) once per fresh interpreter,
# the request a JSON object {"code": "...", "cwd": "/dir"} (cwd optional: the working directory, also put
# first on sys.path), and reads back one JSON object: {"value": ...}, {"error": {...}} or {"exit": code}.
import ast
import json
import os
import sys
import traceback

FILENAME = "<code>"

# Modules model-written code imports most, imported while the interpreter is started ahead of its run
# (each interpreter serves one run): importing them in the run costs seconds on a cold JVM.
for _name in ("collections", "csv", "dataclasses", "datetime", "decimal", "functools", "importlib", "io",
              "itertools", "math", "re", "statistics", "string", "textwrap", "typing"):
    try:
        __import__(_name)
    except ImportError:
        pass
del _name


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


# Code mode. The interpreter has no host function to call, so a call is a request written to a file of
# the in-memory file system and an answer read from standard input, which the host makes the call for.
_TOOL_CALL = "/guest/tmp/.tool-call"


class ToolError(Exception):
    """A tool call failed: str(e) is the tool's message, e.kind why (PERMISSION_DENIED, ...)."""

    def __init__(self, message, kind, tool):
        super().__init__(message)
        self.kind = kind
        self.tool = tool


def _call_tool(name, args):
    with open(_TOOL_CALL, "w", encoding="utf-8") as f:
        json.dump({"name": name, "args": args}, f)
    answer = b""
    while not answer.endswith(b"\n"):
        chunk = os.read(0, 1 << 16)
        if not chunk:
            raise RuntimeError("the host did not answer the call of tool " + name)
        answer += chunk
    reply = json.loads(answer)
    if "error" in reply:
        raise ToolError(reply["error"], reply.get("kind"), name)
    return reply.get("value")


class _Tools:
    """tools.name(a=1) or tools.name({"a": 1}) calls the task's tool name and returns its result."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            if args and kwargs or len(args) > 1:
                raise TypeError("tools." + name + " takes keyword arguments or one dict, not both")
            return _call_tool(name, args[0] if args else kwargs)

        return call

    def __getitem__(self, name):
        return self.__getattr__(name)


def run(request):
    # Interpreters are copies of one that has just started (see InterpreterImage): the random module it
    # seeded then would give every run the same numbers, so it is seeded again from the host's randomness.
    if "random" in sys.modules:
        sys.modules["random"].seed()
    request = json.loads(request)
    code = request["code"]
    scope = {"__name__": "__main__", "__builtins__": __builtins__, "tools": _Tools(), "ToolError": ToolError}
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
