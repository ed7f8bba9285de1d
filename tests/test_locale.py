"""What the portal build and the CMS read from their child processes (Pagefind, Pelican, the
build itself) is UTF-8 whatever the machine's locale: under LC_ALL=C Python would decode it as
ASCII, and the Chinese and "…" these programs print would stop the build."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ASCII source (a C locale cannot decode anything else on a command line) printing UTF-8.
CHILD = [
    sys.executable,
    "-c",
    r"import sys; sys.stdout.buffer.write('(Extended) \u5bfc\u51fa \u2026'.encode())",
]
PROBE = f"""
import locale, sys
assert locale.getpreferredencoding(False).lower() in ("ascii", "ansi_x3.4-1968"), "not ASCII"
from portal.search import _run_pagefind
_run_pagefind({CHILD!r})
"""


def test_child_output_is_read_as_utf8_under_an_ascii_locale():
    environment = {
        **os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
        "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
