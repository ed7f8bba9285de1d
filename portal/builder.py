"""The resident builder: ``python -m portal builder``, and how ``python -m portal build`` hands it
a build.

A build started as a process of its own pays, before it asks the CMS anything, for Python's
start-up and the portal's imports, then for reading what the last build kept (the notices' state,
the public record, the live build's manifest), then for a Pelican process of its own to render a
handful of pages. The builder pays for those once: it imports everything, holds those files in
memory (:mod:`portal.warm`), and forks a child for each build, which starts with all of it and
renders in a fork of itself (:func:`portal.render.start_pelican_forked`).

``python -m portal build`` connects to the builder's socket (``publicity_site/.builder.sock``,
or ``PORTAL_BUILDER_SOCKET``) and sends its arguments; the child builds exactly as the command
would, and what it prints comes back as the command's output, with its exit status. With no
builder listening the command builds itself, as before. Builds still take turns under the build
lock (:mod:`portal.builds`): a child is a build like any other. A builder whose code has changed
since it started tells the command to build itself, and starts again.
"""

import contextlib
import gc
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from . import warm

SOCKET_NAME = ".builder.sock"
_FRAME = struct.Struct(">cI")  # kind (b"1" stdout, b"2" stderr, b"x" exit status), length
STALE = 75  # the exit status of a child that cannot build: the code changed since start


def code_version() -> str:
    """The portal's code version (:func:`portal.fingerprint.code_version`), imported only by the
    builder's side: the command's side starts a process for each build, and needs none of it."""
    from .fingerprint import code_version as version

    return version()


def socket_path(site_dir: Path) -> Path:
    return Path(os.environ.get("PORTAL_BUILDER_SOCKET") or site_dir / SOCKET_NAME)


# --- the command's side --------------------------------------------------------------------------


def _receive(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the builder closed the connection")
        data += chunk
    return data


def hand_over(path: Path, argv: list[str]) -> int | None:
    """Has the builder at ``path`` run ``python -m portal`` with ``argv``; prints what it prints
    and returns its exit status. None when no builder takes it (none listens, the socket cannot
    be reached, or its code is out of date): the caller builds itself."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            connection.connect(os.fspath(path))
            request = {"argv": argv, "environment": dict(os.environ)}
            connection.sendall(json.dumps(request).encode() + b"\n")
        except OSError:  # no socket, no builder behind it, a path too long for a socket...
            return None
        return _relay(connection)
    finally:
        connection.close()


def _relay(connection: socket.socket) -> int | None:
    """Prints what the build prints, as it prints it; returns its exit status."""
    outputs = {b"1": sys.stdout, b"2": sys.stderr}
    while True:
        try:
            kind, length = _FRAME.unpack(_receive(connection, _FRAME.size))
            payload = _receive(connection, length)
        except OSError:  # the child ended without its status: it may have built, or not
            print("构建进程意外中止 / The builder stopped in the middle of the build",
                  file=sys.stderr)  # fmt: skip
            return 1
        if kind == b"x":
            status = int(payload)
            return None if status == STALE else status
        outputs[kind].write(payload.decode("utf-8", "replace"))
        outputs[kind].flush()


# --- the builder's side --------------------------------------------------------------------------


class _FrameWriter:
    """A text stream that sends what is written to it as frames of one kind."""

    def __init__(self, connection: socket.socket, kind: bytes):
        self.connection, self.kind = connection, kind

    def write(self, text: str) -> int:
        if text:
            data = text.encode("utf-8", "replace")
            self.connection.sendall(_FRAME.pack(self.kind, len(data)) + data)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _read_request(connection: socket.socket) -> tuple[list[str], dict[str, str]]:
    """The command's arguments and its environment, which the build runs in (the signing key,
    the site's address, the build time...), as if the command had built itself."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("no request")
        data += chunk
    request = json.loads(data)
    argv, environment = request["argv"], request["environment"]
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise ValueError("argv must be a list of strings")
    if not isinstance(environment, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in environment.items()
    ):
        raise ValueError("environment must map strings to strings")
    return argv, environment


def _serve_one(connection: socket.socket, run: Callable[[list[str]], int], current: bool) -> None:
    """In the forked child: runs the request and sends its output and exit status."""
    status = 1
    sys.stdout = _FrameWriter(connection, b"1")
    sys.stderr = _FrameWriter(connection, b"2")
    try:
        argv, environment = _read_request(connection)
        os.environ.clear()
        os.environ.update(environment)
        status = run(argv) if current else STALE
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException as exc:  # reported to the command, which exits non-zero
        with contextlib.suppress(OSError):
            sys.stderr.write(f"构建失败 / Build failed: {exc!r}\n")
    finally:
        with contextlib.suppress(OSError):
            payload = str(status).encode()
            connection.sendall(_FRAME.pack(b"x", len(payload)) + payload)
        os._exit(status if 0 <= status < 256 else 1)


def _start_again() -> None:
    os.execv(sys.executable, [sys.executable, "-m", "portal", *sys.argv[1:]])  # noqa: S606


def serve(
    path: Path,
    run: Callable[[list[str]], int],
    warm_up: Callable[[], None],
    ready: Callable[[], None] = lambda: None,
    start_again: Callable[[], None] = _start_again,
) -> None:
    """Listens on ``path`` until stopped; a forked child runs each request with ``run``, while
    the builder goes on listening (a second build waits for the lock, and the first gives way to
    it). ``warm_up`` reads ahead what the next build will read: at start, and while builds run.
    Asleep when no build runs. Starts again (same arguments) once its code has changed."""
    warm.enable()
    _warm_up(warm_up)
    started_with = code_version()
    try:
        listener = _listen(path)
    except OSError as exc:  # e.g. a path longer than a socket's address: PORTAL_BUILDER_SOCKET
        raise SystemExit(f"构建进程无法监听 / The builder cannot listen on {path}: {exc}") from exc
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ready()
    children: set[int] = set()
    last_start = float("-inf")
    try:
        while True:
            readable, _, _ = select.select([listener], [], [], POLL if children else IDLE_POLL)
            if readable:
                last_start = time.monotonic()
                connection, _ = listener.accept()
                current = code_version() == started_with
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    _serve_one(connection, run, current)
                connection.close()
                children.add(pid)
                _log(f"构建 {pid} 开始 / Build {pid} started" + ("" if current else " (stale)"))
                if not current:
                    break
            for pid, status in _reaped().items():
                children.discard(pid)
                _log(f"构建 {pid} 结束 / Build {pid} ended: {status}")
            if not children or time.monotonic() - last_start > SETTLE:
                _warm_up(warm_up)
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            path.unlink()
    start_again()


POLL = 0.2  # seconds between looks at the files a running build changes
# Seconds between looks when no build runs: a build made without the builder (--no-builder, or
# before it started) changes the files too. A look is a few stat() calls.
IDLE_POLL = 30.0
# Seconds after a build starts before the builder reads ahead again: not while that build puts
# its pages live (the reading would take a core from it), but before its search index is done.
SETTLE = 5.0


def _warm_up(warm_up: Callable[[], None]) -> None:
    """Reads ahead, then puts what it holds out of the garbage collector's way: a build's
    collections would otherwise walk every object of the notices' state, each time. A file that
    cannot be read ahead is read by the build itself, which reports it."""
    try:
        warm_up()
    except Exception as exc:  # the builder keeps listening
        print(f"预读失败 / Reading ahead failed: {exc!r}", file=sys.stderr, flush=True)
    gc.collect()
    gc.freeze()


def _listen(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o077)  # only this user's processes may ask for a build
    try:
        listener.bind(os.fspath(path))
    finally:
        os.umask(old_umask)
    listener.listen(16)
    return listener


def _reaped() -> dict[int, str]:
    """The children that have ended, reaped, with how they ended."""
    ended: dict[int, str] = {}
    with contextlib.suppress(ChildProcessError):
        while True:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            ended[pid] = f"exit {os.waitstatus_to_exitcode(status)}"
    return ended


def _log(line: str) -> None:
    """A line of the builder's own log (its standard output)."""
    print(f"{datetime.now().astimezone().isoformat(timespec='seconds')} {line}", flush=True)
