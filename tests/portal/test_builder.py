"""The resident builder's protocol: ``python -m portal build`` hands its build over, gets back
what the build printed and its exit status, builds itself when no builder is there or the
builder's code is out of date; builds run side by side (one waits for the lock while another
runs), and a child that dies is reported, not waited for. The builds themselves:
``test_builder_build.py``."""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from portal import builder

ROOT = Path(__file__).resolve().parents[2]

# A builder whose "build" prints its arguments, sleeps when asked, and exits with the status
# its last argument names; its code version is a file's text, so a test can change the code.
FAKE_BUILDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from portal import builder

    socket_path, version_file, log = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    builder.code_version = version_file.read_text

    def run(argv):
        print("输出 out:", " ".join(argv))
        print("错误 err:", argv[0], file=sys.stderr)
        if argv[0] == "sleep":
            time.sleep(float(argv[1]))
        if argv[0] == "die":
            os._exit(9)
        if argv[0] == "environment":
            print("环境 environment:", os.environ.get("PORTAL_BUILT_AT"), "SECRET" in os.environ)
        return int(argv[-1])

    def warm_up():
        with log.open("a") as file:
            file.write("warm\\n")

    def start_again():
        with log.open("a") as file:
            file.write("start again\\n")

    builder.serve(socket_path, run, warm_up, lambda: print("ready", flush=True), start_again)
    """
)


@pytest.fixture
def fake_builder(tmp_path):
    socket_path, version, log = tmp_path / "b.sock", tmp_path / "version", tmp_path / "log"
    version.write_text("one")
    script = tmp_path / "fake_builder.py"
    script.write_text(FAKE_BUILDER)
    process = subprocess.Popen(
        [sys.executable, str(script), str(socket_path), str(version), str(log)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        yield socket_path, version, log, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_gets_the_builds_output_and_exit_status(fake_builder, capsys):
    socket_path, *_ = fake_builder
    assert builder.hand_over(socket_path, ["build", "--x", "3"]) == 3
    printed = capsys.readouterr()
    assert printed.out == "输出 out: build --x 3\n"
    assert printed.err == "错误 err: build\n"
    assert builder.hand_over(socket_path, ["build", "0"]) == 0


def test_builds_run_side_by_side(fake_builder, capsys):
    """A second build is started while the first still runs (it then waits for the build lock,
    and the first gives way to it): the second ends first."""
    socket_path, *_ = fake_builder
    ended: list[str] = []

    def ask(argv: list[str]) -> None:
        builder.hand_over(socket_path, argv)
        ended.append(argv[0])

    slow = threading.Thread(target=ask, args=(["sleep", "3", "0"],))
    slow.start()
    try:
        ask(["quick", "0"])
    finally:
        slow.join()
    assert ended == ["quick", "sleep"]


def test_a_child_that_dies_is_reported_as_a_failure(fake_builder, capsys):
    socket_path, *_ = fake_builder
    assert builder.hand_over(socket_path, ["die", "0"]) == 1
    assert "The builder stopped in the middle of the build" in capsys.readouterr().err
    assert builder.hand_over(socket_path, ["build", "0"]) == 0  # the builder goes on


def test_no_builder_means_the_command_builds_itself(tmp_path):
    assert builder.hand_over(tmp_path / "none.sock", ["build"]) is None
    stale = tmp_path / "stale.sock"  # left by a builder that was killed
    import socket

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(stale))
    listener.close()
    assert stale.exists()
    assert builder.hand_over(stale, ["build"]) is None
    too_long = tmp_path / ("长" * 60) / "builder.sock"  # beyond what a socket's address holds
    assert builder.hand_over(too_long, ["build"]) is None


def test_a_builder_whose_code_changed_lets_the_command_build_and_starts_again(fake_builder):
    socket_path, version, log, process = fake_builder
    assert builder.hand_over(socket_path, ["build", "0"]) == 0
    version.write_text("two")
    assert builder.hand_over(socket_path, ["build", "0"]) is None
    process.wait(timeout=10)  # what start_again does here: end
    assert log.read_text().splitlines()[-1] == "start again"
    assert not socket_path.exists()


def test_only_its_user_may_connect(fake_builder):
    socket_path, *_ = fake_builder
    assert socket_path.stat().st_mode & 0o077 == 0


def test_the_build_runs_in_the_commands_environment(fake_builder, capsys, monkeypatch):
    """The signing key, the site's address, the build time: what the command was given."""
    socket_path, *_ = fake_builder
    monkeypatch.setenv("PORTAL_BUILT_AT", "2026-01-02T03:04:05+08:00")
    monkeypatch.delenv("SECRET", raising=False)
    assert builder.hand_over(socket_path, ["environment", "0"]) == 0
    assert "环境 environment: 2026-01-02T03:04:05+08:00 False" in capsys.readouterr().out
