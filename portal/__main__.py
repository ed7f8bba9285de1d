"""Command line: ``python -m portal build``, ``builder``, ``serve``, ``publish``,
``verify-record`` and ``preview``."""

import argparse
import functools
import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

from . import builder
from .paths import CONTENT_DIR, ROOT, SITE_DIR

# Handing a build to the resident builder imports no more than this: what a build needs is
# imported by the functions that build (a build started here pays for it anyway).


def wait_for_cms(cms_url: str, seconds: float) -> bool:
    import requests

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


def report(line: str) -> None:
    """A line for whoever runs the build (the CMS's rebuild task reads them: portal.phases)."""
    print(line, file=sys.stderr, flush=True)


def build(args) -> int:
    if not (args.no_builder or args.start_cms):
        status = builder.hand_over(builder.socket_path(SITE_DIR), ["build", *args.argv])
        if status is not None:
            return status
    from .build import BuildError, build_portal
    from .builds import lock_held
    from .phases import CMS_UNREACHABLE, WAIT, failure_kind, failure_line, phase_line

    cms = None
    if not wait_for_cms(args.cms_url, args.wait):
        if not args.start_cms:
            report(failure_line(CMS_UNREACHABLE))
            print(f"CMS 未运行 / CMS not reachable at {args.cms_url}", file=sys.stderr)
            return 2
        cms = start_cms(args.cms_url)
        if not wait_for_cms(args.cms_url, 60):
            cms.terminate()
            report(failure_line(CMS_UNREACHABLE))
            print(f"CMS 启动失败 / CMS did not start at {args.cms_url}", file=sys.stderr)
            return 2
    if lock_held(SITE_DIR):
        report(phase_line(WAIT, "another build is running"))
    try:
        result = build_portal(
            args.cms_url, incremental=not args.full, jobs=args.jobs, progress=report
        )
    except BuildError as exc:
        report(failure_line(failure_kind(exc)))
        print(f"门户构建失败，原站点保持不变 / Portal build failed, site unchanged:\n{exc}",
              file=sys.stderr)  # fmt: skip
        return 1
    finally:
        if cms is not None:
            cms.terminate()
            cms.wait()
    print(
        f"门户已构建 Portal built ({result.mode}): {result.rendered} of {result.pages} sources"
        f" rendered, {result.seconds:.1f} s"
        f" ({', '.join(f'{name} {sec:.1f} s' for name, sec in result.phases.items())})"
        f" → {SITE_DIR / 'output'}"
    )
    if result.left_to_next:
        print("搜索索引、开放数据和站点地图留给正在等待的下一次构建 / Search index, open data and"
              " sitemap left to the next build, which is waiting")  # fmt: skip
    return 0


def serve(args) -> int:
    import http.server  # only to serve: not in every build's start-up

    directory = Path(args.directory)
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=os.fspath(directory)
    )
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as server:
        print(f"门户 Portal: http://{args.host}:{args.port}/")
        server.serve_forever()
    return 0


def publish(args) -> int:
    from .publish import publish as publish_site
    from .releases import KEEP_RELEASES, list_releases, rollback
    from .storage import PublishError, S3Config, make_client

    try:
        config = S3Config.from_env(
            bucket=args.bucket,
            endpoint_url=args.endpoint_url,
            region=args.region,
            prefix=args.prefix,
        )
        keep = args.keep or int(os.environ.get("PORTAL_S3_KEEP_RELEASES") or KEEP_RELEASES)
        client = make_client(config, jobs=args.jobs)
        where = f"s3://{config.bucket}/{config.prefix}"
        if args.list:
            for release in list_releases(config, client=client):
                state = "live" if release.live else ("" if release.complete else "incomplete")
                print(f"{release.id}  {state}".rstrip())
            return 0
        if args.rollback is not None:
            before, after = rollback(config, args.rollback or None, client=client)
            print(f"已回滚 Rolled back {where}: live.json {before} → {after}"
                  f" (origin path /{config.release_root(after).rstrip('/')})")  # fmt: skip
            return 0
        result = publish_site(Path(args.site), config, client=client, keep=keep, jobs=args.jobs)
    except (PublishError, OSError, ValueError) as exc:
        print(f"发布失败，线上版本保持不变 / Publish failed, live site unchanged:\n{exc}",
              file=sys.stderr)  # fmt: skip
        return 1
    if not result.switched:
        print(f"无变化 Nothing changed: release {result.release} at {where} is this site"
              f" ({len(result.unchanged)} files)")  # fmt: skip
        return 0
    print(f"build {result.build} → s3://{config.bucket}/{result.root}")
    for label, paths in (("uploaded (new or changed)", result.uploaded),
                         ("removed", result.removed)):  # fmt: skip
        print(f"  {label}: {len(paths)}")
        for path in paths:
            print(f"    {path}")
    print(f"  unchanged (copied server-side, not uploaded): {len(result.copied)}")
    if args.verbose:
        for path in result.copied:
            print(f"    {path}")
    if result.pruned:
        print(f"  pruned old releases: {', '.join(result.pruned)}")
    if result.prune_error:
        print(f"  pruning failed (the new release is live): {result.prune_error}", file=sys.stderr)
    print(
        f"门户已发布 Published release {result.release} in {result.seconds:.1f} s;"
        f" live.json → {result.root} (previous: {result.previous or 'none'})"
    )
    return 0


def verify_record(args) -> int:
    from .verify import Mismatch, Unreadable, reader, summary, verify

    try:
        report = verify(reader(args.site), Path(args.public_key) if args.public_key else None)
    except Mismatch as exc:
        print(f"公示记录核验失败 / The public record does not verify ({args.site}):\n"
              f"  {exc.zh}\n  {exc.en}", file=sys.stderr)  # fmt: skip
        return 1
    except (Unreadable, OSError) as exc:
        print(f"无法读取 / Cannot read: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary(report)))
    return 0


def preview(args) -> int:
    """One page's JSON on stdin, its HTML preview on stdout (see :mod:`portal.preview`)."""
    from .preview import PreviewError, load_openapi
    from .preview import preview as preview_page
    from .render import RenderError

    try:
        page_html = preview_page(sys.stdin.buffer.read(), args.type, load_openapi(args.openapi))
    except PreviewError as exc:
        print(f"无法预览 / Cannot preview: {exc}", file=sys.stderr)
        return 2
    except (RenderError, OSError) as exc:
        print(f"预览生成失败 / Preview failed:\n{exc}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(page_html.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


def _add_build(commands) -> None:
    build_parser = commands.add_parser("build", help="export from the CMS and build the site")
    build_parser.add_argument(
        "--cms-url", default=os.environ.get("CMS_URL", "http://127.0.0.1:8000")
    )
    build_parser.add_argument(
        "--start-cms", action="store_true", help="start the CMS if it is not running"
    )
    build_parser.add_argument("--wait", type=float, default=1, help="seconds to wait for the CMS")
    build_parser.add_argument(
        "--full", action="store_true", help="render every page, not only what changed"
    )
    build_parser.add_argument(
        "--jobs", type=int, default=0, help="Pelican processes for a full build (default: cores)"
    )
    build_parser.add_argument(
        "--no-builder", action="store_true", help="build in this process even when the resident"
        " builder (python -m portal builder) is running",
    )  # fmt: skip
    build_parser.set_defaults(func=build)


def run_builder(args) -> int:
    """The resident builder (:mod:`portal.builder`): builds in a warm fork of itself."""
    from . import build as building  # noqa: F401  (imported once, for every build)
    from . import builds, opendata, record, render, statistics_pages  # noqa: F401  (imported once)
    from .notice_store import NoticeState

    # Pelican too: each build reads its settings, and renders in a fork, with it (0.2 s a build).
    importlib.import_module("pelican.settings")

    def warm_up() -> None:
        statistics_pages.hold_facts(NoticeState.load(CONTENT_DIR).records.values())
        record.load(CONTENT_DIR)
        live = builds.live_build(SITE_DIR / "output")
        if live is not None:
            render.Manifest.load(builds.manifest_path(live))

    def run(argv: list[str]) -> int:
        if not argv or argv[0] != "build":
            print(f"构建进程只接受构建请求 / The builder only builds, not: {argv[:1]}",
                  file=sys.stderr)  # fmt: skip
            return 2
        return main([*argv, "--no-builder"])

    path = builder.socket_path(SITE_DIR)

    def ready() -> None:
        print(f"构建进程就绪 / Builder ready on {path}", flush=True)

    builder.serve(path, run, warm_up, ready)
    return 0


def _add_builder(commands) -> None:
    builder_parser = commands.add_parser(
        "builder", help="stay resident and run the builds that python -m portal build asks for"
    )
    builder_parser.set_defaults(func=run_builder)


def _add_serve(commands) -> None:
    serve_parser = commands.add_parser("serve", help="serve the built site")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8001"))
    )
    serve_parser.add_argument("--directory", default=str(SITE_DIR / "output"))
    serve_parser.set_defaults(func=serve)


def _add_publish(commands) -> None:
    publish_parser = commands.add_parser(
        "publish", help="upload the built site to S3-compatible storage and switch to it"
    )
    publish_parser.add_argument("--site", default=str(SITE_DIR / "output"))
    publish_parser.add_argument("--bucket", help="default: $PORTAL_S3_BUCKET")
    publish_parser.add_argument("--endpoint-url", help="default: $PORTAL_S3_ENDPOINT_URL")
    publish_parser.add_argument("--region", help="default: $PORTAL_S3_REGION")
    publish_parser.add_argument("--prefix", help="key prefix; default: $PORTAL_S3_PREFIX")
    publish_parser.add_argument(
        "--keep",
        type=int,
        help="complete releases kept for rollback, the live one included"
        " (default: $PORTAL_S3_KEEP_RELEASES or 5)",
    )
    publish_parser.add_argument("--jobs", type=int, default=8, help="parallel requests")
    publish_parser.add_argument(
        "--rollback",
        nargs="?",
        const="",
        metavar="RELEASE",
        help="switch live.json back to RELEASE (default: the release before the live one)",
    )
    publish_parser.add_argument("--list", action="store_true", help="list the releases")
    publish_parser.add_argument("-v", "--verbose", action="store_true")
    publish_parser.set_defaults(func=publish)


def _add_verify_record(commands) -> None:
    verify_parser = commands.add_parser(
        "verify-record", help="check a published site's public record (公示记录)"
    )
    verify_parser.add_argument("site", help="the site's directory or its http(s) address")
    verify_parser.add_argument(
        "--public-key", metavar="FILE", help="the Ed25519 public key (PEM) to check the head's"
        " signature with (default: the site's record/public-key.pem)",
    )  # fmt: skip
    verify_parser.set_defaults(func=verify_record)


def _add_preview(commands) -> None:
    preview_parser = commands.add_parser(
        "preview", help="render one page's JSON (stdin) as the portal will, to stdout, as a preview"
    )
    preview_parser.add_argument(
        "--openapi", metavar="FILE", help="the CMS's OpenAPI document (/api/schema/), for the"
        " pages that show a form",
    )  # fmt: skip
    preview_parser.add_argument(
        "--type", help="the page type (e.g. notices.DecisionNoticePage) when the JSON has no"
        " meta.type",
    )  # fmt: skip
    preview_parser.set_defaults(func=preview)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in (_add_build, _add_builder, _add_serve, _add_publish, _add_verify_record,
                _add_preview):  # fmt: skip
        add(commands)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    args.argv = argv[1:]  # the command's own arguments, for the builder
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
