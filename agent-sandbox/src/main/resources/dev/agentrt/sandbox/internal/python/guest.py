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


# Host paths. This interpreter reaches files only through one preopen, /guest, where the host lays out the
# run's declared files at /guest plus their host path. The functions that take or give paths are wrapped so
# that the code sees host paths: /data/in.csv is opened at /guest/data/in.csv, os.getcwd() gives /data, an
# error names /data/in.csv. The interpreter's own files (its standard library) and /guest stay as they are.
_GUEST = "/guest"
_NATIVE = (_GUEST, sys.prefix, sys.exec_prefix)


def _inside(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def _to_guest(path):
    if isinstance(path, (str, bytes)) or hasattr(path, "__fspath__"):
        path = os.fspath(path)
        text = path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path
        if text.startswith("/") and not any(_inside(text, root) for root in _NATIVE):
            text = _GUEST + (text if text != "/" else "")
            return text.encode("utf-8", "surrogateescape") if isinstance(path, bytes) else text
    return path


def _to_host(path):
    if isinstance(path, bytes):
        return _to_host(path.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    if isinstance(path, str) and _inside(path, _GUEST) and path != _GUEST + "/guest.py":
        return path[len(_GUEST):] or "/"
    return path


def _host_error(e):
    for attribute in ("filename", "filename2"):
        value = getattr(e, attribute, None)
        if isinstance(value, (str, bytes)):
            setattr(e, attribute, _to_host(value))
    return e


def _paths(function, count=1, gives=False):
    def wrapped(*args, **kwargs):
        args = [_to_guest(a) if i < count else a for i, a in enumerate(args)]
        for name in ("path", "file", "src", "dst")[:4 if count > 1 else 2]:
            if name in kwargs:
                kwargs[name] = _to_guest(kwargs[name])
        try:
            result = function(*args, **kwargs)
        except OSError as e:
            raise _host_error(e) from None
        return _to_host(result) if gives else result

    wrapped.__name__ = getattr(function, "__name__", "wrapped")
    wrapped.__doc__ = getattr(function, "__doc__", None)
    return wrapped


class _Entry:
    """An os.DirEntry whose path is the host's."""

    __slots__ = ("_entry",)

    def __init__(self, entry):
        self._entry = entry

    name = property(lambda self: self._entry.name)
    path = property(lambda self: _to_host(self._entry.path))

    def __getattr__(self, name):
        return getattr(self._entry, name)

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return "<DirEntry %r>" % (self.name,)


class _Entries:
    def __init__(self, iterator):
        self._iterator = iterator

    def __iter__(self):
        return self

    def __next__(self):
        return _Entry(next(self._iterator))

    def close(self):
        self._iterator.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _install_host_paths():
    import builtins
    import io
    import posix
    import _io

    wrapped = {}
    for name, count, gives in (("stat", 1, False), ("lstat", 1, False), ("open", 1, False), ("listdir", 1, False),
                               ("mkdir", 1, False), ("rmdir", 1, False), ("unlink", 1, False), ("remove", 1, False),
                               ("chdir", 1, False), ("access", 1, False), ("utime", 1, False),
                               ("readlink", 1, True), ("chmod", 1, False), ("truncate", 1, False),
                               ("rename", 2, False), ("replace", 2, False), ("link", 2, False),
                               ("symlink", 2, False), ("getcwd", 0, True), ("getcwdb", 0, True)):
        if hasattr(posix, name):
            wrapped[name] = _paths(getattr(posix, name), count, gives)
    scandir = _paths(posix.scandir)
    wrapped["scandir"] = lambda path=".": _Entries(scandir(path))
    for name, function in wrapped.items():
        original = getattr(posix, name)
        for supports in (os.supports_dir_fd, os.supports_fd, os.supports_follow_symlinks, os.supports_effective_ids):
            if original in supports:
                supports.add(function)
        setattr(posix, name, function)
        setattr(os, name, function)
    opener = _paths(_io.open)
    builtins.open = io.open = _io.open = opener
    io.open_code = _io.open_code = _paths(_io.open_code)
    import tokenize
    tokenize._builtin_open = opener


_install_host_paths()


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
            cwd = _to_host(cwd)
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
