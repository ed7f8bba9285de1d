"""Command line: ``python -m portal build`` and ``python -m portal serve``."""

import argparse
import functools
import http.server
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from .build import ROOT, SITE_DIR, BuildError, build_portal


def wait_for_cms(cms_url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{cms_url}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def start_cms(cms_url: str) -> subprocess.Popen:
    address = cms_url.split("://", 1)[1].rstrip("/")
    command = [sys.executable, "manage.py", "runserver", "--noreload", address]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)


def build(args) -> int:
    cms = None
    if not wait_for_cms(args.cms_url, args.wait):
        if not args.start_cms:
            print(f"CMS 未运行 / CMS not reachable at {args.cms_url}", file=sys.stderr)
            return 2
        cms = start_cms(args.cms_url)
        if not wait_for_cms(args.cms_url, 60):
            cms.terminate()
            print(f"CMS 启动失败 / CMS did not start at {args.cms_url}", file=sys.stderr)
            return 2
    try:
        result = build_portal(args.cms_url)
    except BuildError as exc:
        print(f"门户构建失败，原站点保持不变 / Portal build failed, site unchanged:\n{exc}",
              file=sys.stderr)  # fmt: skip
        return 1
    finally:
        if cms is not None:
            cms.terminate()
            cms.wait()
    print(
        f"门户已构建 Portal built: {result.pages} sources, {result.seconds:.1f} s"
        f" → {SITE_DIR / 'output'}"
    )
    return 0


def serve(args) -> int:
    directory = Path(args.directory)
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=os.fspath(directory)
    )
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as server:
        print(f"门户 Portal: http://{args.host}:{args.port}/")
        server.serve_forever()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="export from the CMS and build the site")
    build_parser.add_argument(
        "--cms-url", default=os.environ.get("CMS_URL", "http://127.0.0.1:8000")
    )
    build_parser.add_argument(
        "--start-cms", action="store_true", help="start the CMS if it is not running"
    )
    build_parser.add_argument("--wait", type=float, default=1, help="seconds to wait for the CMS")
    build_parser.set_defaults(func=build)
    serve_parser = commands.add_parser("serve", help="serve the built site")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8001"))
    )
    serve_parser.add_argument("--directory", default=str(SITE_DIR / "output"))
    serve_parser.set_defaults(func=serve)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
