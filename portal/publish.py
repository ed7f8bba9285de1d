"""Publish the built portal to S3-compatible storage: upload only what changed, switch atomically.

Design (docs/publishing.md says the same for operators)
=======================================================

Layout in the bucket, under ``PORTAL_S3_PREFIX`` (empty by default)::

    releases/<id>/index.html            one complete copy of the site per release, at the
    releases/<id>/notices/index.html    site's normal paths, so a static host or CDN serves
    releases/<id>/theme/css/site.css    ``releases/<id>/`` as the site root (pages use
    ...                                 relative URLs, so they work under any prefix)
    manifests/<id>.json                 every file of release <id>: sha256, size, type
    live.json                           {"release": "<id>", "root": "releases/<id>/", ...}

A publish:

1. hashes every file of the build (sha256), resolving the ``publicity_site/output`` link once
   so a build finishing meanwhile cannot mix two builds into one release;
2. reads ``live.json`` and the live release's manifest; if nothing differs, it stops there;
3. fills ``releases/<id>/`` (``<id>`` is the UTC time, so ids sort by age): a file whose sha256
   equals the live release's is copied *server-side* (CopyObject: no upload bandwidth, the bytes
   never leave the store); a new or changed file is uploaded (PutObject with Content-MD5, so the
   store verifies the bytes). Both set Content-Type and Cache-Control from the current rules;
4. lists ``releases/<id>/`` and checks that every file is there with its size, and reads
   ``live.json`` again: if another publish moved it meanwhile, this one stops unswitched;
5. writes ``manifests/<id>.json`` (a manifest exists only for a complete release), then
   switches by writing ``live.json``: one PUT of one small object, which S3 applies atomically:
   a reader gets the old pointer or the new one, and both name complete releases;
6. prunes: keeps the newest ``keep`` complete releases and always the live one, and deletes
   releases left incomplete by a failed publish.

A failure before the write of ``live.json`` leaves it as it was (a partial release is deleted at
once when possible, otherwise by the next publish's prune); a failure to prune after the switch
is reported, not raised: the new release is live. Comparing against the manifest's
sha256, not ETags, keeps the comparison right for multipart or encrypted objects, whose ETag is
not an MD5. Rollback rewrites ``live.json`` to an older complete release, after checking that
all its files are still there.

Why whole trees per release rather than content-addressed ``objects/<sha256>`` blobs: a plain
static host or CDN cannot map ``/notices/index.html`` to a blob without a lookup layer, whereas
``releases/<id>/`` is directly servable; server-side copies make its upload bandwidth the same
(the price is one CopyObject request per unchanged file, and the storage of ``keep`` trees).

Serving: point the CDN's origin path at ``<prefix>releases/<id>`` (the switch is then that one
configuration change, made from ``live.json``), or have the edge/proxy read ``live.json``.
Rewriting fixed paths in place would not be atomic: S3 has no multi-object transaction.

One publisher at a time: before switching, ``live.json`` is read again and the switch is refused
if another publish moved it meanwhile, but two concurrent publishes are not otherwise locked.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import mimetypes
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

KEEP_RELEASES = 5
JOBS = 8
LIVE_KEY = "live.json"
MANIFEST_FORMAT = 1

HTML_CACHE = "public, max-age=60"
# Theme files are not fingerprinted (themes/publicity links /theme/css/site.css as is), so they
# are cached long but not forever: a day, not `immutable`, or new HTML would meet old CSS.
THEME_CACHE = "public, max-age=86400"
ASSET_CACHE = "public, max-age=3600"
POINTER_CACHE = "no-cache, max-age=0"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    # The public record (record/): its entries, the head's signature and the public key.
    ".jsonl": "text/plain; charset=utf-8",
    ".sig": "text/plain; charset=utf-8",
    ".pem": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
# Documents whose content can change with every build: short cache.
# The public record's files change together (a head and its signature must never mismatch).
SHORT_CACHE_SUFFIXES = {".html", ".htm", ".xml", ".rss", ".atom", ".json", ".csv", ".ics", ".txt",
                        ".jsonl", ".sig", ".pem"}  # fmt: skip
FEED_ROOTS = {b"rss": "application/rss+xml", b"feed": "application/atom+xml"}


class PublishError(RuntimeError):
    """The site could not be published; ``live.json`` still names the release it named."""


@dataclass(frozen=True)
class S3Config:
    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    prefix: str = ""
    addressing_style: str | None = None

    def __post_init__(self):
        prefix = self.prefix.strip("/")
        object.__setattr__(self, "prefix", f"{prefix}/" if prefix else "")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> S3Config:
        """Read PORTAL_S3_*; a non-empty keyword argument (from the command line) wins."""
        environ = os.environ if environ is None else environ
        values = {
            "bucket": environ.get("PORTAL_S3_BUCKET", ""),
            "endpoint_url": environ.get("PORTAL_S3_ENDPOINT_URL") or None,
            "region": environ.get("PORTAL_S3_REGION") or None,
            "prefix": environ.get("PORTAL_S3_PREFIX", ""),
            "addressing_style": environ.get("PORTAL_S3_ADDRESSING_STYLE") or None,
        }
        values.update({key: value for key, value in overrides.items() if value})
        if not values["bucket"]:
            raise PublishError("No bucket: set PORTAL_S3_BUCKET or pass --bucket")
        return cls(**values)

    def key(self, *parts: str) -> str:
        return self.prefix + "/".join(part.strip("/") for part in parts)

    def release_root(self, release: str) -> str:
        return self.key("releases", release) + "/"

    def manifest_key(self, release: str) -> str:
        return self.key("manifests", f"{release}.json")

    @property
    def live_key(self) -> str:
        return self.key(LIVE_KEY)


@dataclass(frozen=True)
class SiteFile:
    sha256: str
    size: int
    content_type: str
    cache_control: str

    def as_manifest(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "content_type": self.content_type}


@dataclass
class PublishResult:
    release: str
    previous: str | None
    uploaded: list[str] = field(default_factory=list)  # new or changed: PutObject
    unchanged: list[str] = field(default_factory=list)  # same sha256 as the previous release
    copied: list[str] = field(default_factory=list)  # of those, copied server-side (CopyObject)
    removed: list[str] = field(default_factory=list)  # in the previous release, not in this one
    pruned: list[str] = field(default_factory=list)  # old or incomplete releases deleted
    switched: bool = False  # False when the site equals the live release: nothing was done
    prune_error: str = ""  # pruning failed after the switch: the new release is live all the same
    build: str = ""
    root: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Release:
    id: str
    complete: bool  # its manifest exists
    live: bool


# --- what each file is sent with ---------------------------------------------------------------


def content_type(path: str, head: bytes = b"") -> str:
    """The Content-Type for a site path; ``head`` (first bytes) tells feeds from other XML."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xml":
        # The first element: `<?xml ...?>` and `<!-- -->` start with ? or !, never a letter.
        root = re.search(rb"<([A-Za-z_][\w.-]*)", head)
        if root and root.group(1).lower() in FEED_ROOTS:
            return FEED_ROOTS[root.group(1).lower()]
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def cache_control(path: str) -> str:
    if path.startswith("theme/"):
        return THEME_CACHE
    if Path(path).suffix.lower() in SHORT_CACHE_SUFFIXES:
        return HTML_CACHE
    return ASSET_CACHE


def scan_site(site: Path) -> dict[str, SiteFile]:
    """Every file under ``site`` by its relative POSIX path, hashed."""
    files: dict[str, SiteFile] = {}
    for directory, _, names in os.walk(site):
        for name in names:
            path = Path(directory, name)
            relative = path.relative_to(site).as_posix()
            digest = hashlib.sha256()
            size = 0
            head = b""
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    head = head or chunk[:1024]
                    digest.update(chunk)
                    size += len(chunk)
            files[relative] = SiteFile(
                digest.hexdigest(), size, content_type(relative, head), cache_control(relative)
            )
    return dict(sorted(files.items()))


# --- the store -------------------------------------------------------------------------------


def _add_content_md5(params, **_):
    # botocore >= 1.36 sends a CRC32 instead of Content-MD5 for DeleteObjects; many
    # S3-compatible stores still require Content-MD5 there, and AWS accepts either.
    body = params.get("body") or b""
    if isinstance(body, str):
        body = body.encode()
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    params["headers"]["Content-MD5"] = base64.b64encode(digest).decode()


def make_client(config: S3Config, *, jobs: int = JOBS):
    """An S3 client for ``config``; credentials come from boto3's usual chain (AWS_* env)."""
    s3 = {"addressing_style": config.addressing_style} if config.addressing_style else {}
    client = boto3.client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        config=Config(
            s3=s3,
            retries={"max_attempts": 5, "mode": "standard"},
            max_pool_connections=max(10, jobs),
            # Only the checksums a call requires: S3-compatible stores differ in the others.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
    client.meta.events.register("before-call.s3.DeleteObjects", _add_content_md5)
    return client


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _read_json(client, config: S3Config, key: str) -> dict | None:
    try:
        body = client.get_object(Bucket=config.bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if _error_code(exc) in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    return json.loads(body)


def _put_json(client, config: S3Config, key: str, data: dict, cache: str) -> None:
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()
    client.put_object(
        Bucket=config.bucket,
        Key=key,
        Body=body,
        ContentType="application/json",
        CacheControl=cache,
        ContentMD5=base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode(),
    )


def _list(client, config: S3Config, prefix: str) -> Iterator[dict]:
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=config.bucket, Prefix=prefix
    ):
        yield from page.get("Contents", [])


def _release_ids(client, config: S3Config) -> tuple[set[str], set[str]]:
    """(ids with a release prefix, ids with a manifest)."""
    prefixes: set[str] = set()
    root = config.key("releases") + "/"
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=config.bucket, Prefix=root, Delimiter="/"
    ):
        prefixes.update(
            p["Prefix"][len(root) :].rstrip("/") for p in page.get("CommonPrefixes", [])
        )
    manifests_root = config.key("manifests") + "/"
    manifests = {
        item["Key"][len(manifests_root) : -len(".json")]
        for item in _list(client, config, manifests_root)
        if item["Key"].endswith(".json")
    }
    return prefixes, manifests


def _delete_keys(client, config: S3Config, keys: Iterable[str]) -> None:
    keys = list(keys)
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        answer = client.delete_objects(
            Bucket=config.bucket, Delete={"Objects": batch, "Quiet": True}
        )
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise PublishError(f"Could not delete {first.get('Key')}: {first.get('Message')}")


def _delete_release(client, config: S3Config, release: str) -> None:
    # The manifest first: from then on the release is incomplete, never a rollback target.
    _delete_keys(client, config, [config.manifest_key(release)])
    _delete_keys(
        client, config, [o["Key"] for o in _list(client, config, config.release_root(release))]
    )


def _check_complete(client, config: S3Config, release: str, files: Mapping[str, dict]) -> None:
    root = config.release_root(release)
    present = {o["Key"][len(root) :]: o["Size"] for o in _list(client, config, root)}
    missing = [path for path, entry in files.items() if present.get(path) != entry["size"]]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise PublishError(f"Release {release} is incomplete: {len(missing)} missing ({shown})")


def _storage_errors(function):
    """Raise the store's own errors as :class:`PublishError`, with what the store said."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise PublishError(f"Object storage error: {exc}") from exc

    return wrapper


@_storage_errors
def read_live(config: S3Config, *, client=None) -> dict | None:
    client = client or make_client(config)
    return _read_json(client, config, config.live_key)


def _live_record(config: S3Config, release: str, previous: str | None, build: str) -> dict:
    root = config.release_root(release)
    return {
        "release": release,
        "root": root,
        "origin_path": "/" + root.rstrip("/"),
        "manifest": config.manifest_key(release),
        "previous": previous,
        "build": build,
        "switched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# --- publish -------------------------------------------------------------------------------------


def _release_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _run_all(tasks: list[Callable[[], str]], jobs: int) -> list[str]:
    """Run every task on ``jobs`` threads and return their answers in order; on the first
    failure cancel what has not started, wait for what has, and raise it."""
    if not tasks:
        return []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(task) for task in tasks]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in done if f.exception() is not None), None)
        if failed is not None:
            for future in futures:
                future.cancel()
            raise failed.exception()
    return [future.result() for future in futures]


@_storage_errors
def publish(
    site: Path,
    config: S3Config,
    *,
    client=None,
    keep: int = KEEP_RELEASES,
    jobs: int = JOBS,
) -> PublishResult:
    """Publish the built site in ``site`` as a new release and make it live."""
    started = time.monotonic()
    if keep < 1:
        raise PublishError("keep must be at least 1 (the live release)")
    build_dir = Path(site).resolve()  # once: a build swapping the link meanwhile changes nothing
    if not (build_dir / "index.html").is_file():
        raise PublishError(f"{site} has no index.html: not a built site, nothing published")
    files = scan_site(build_dir)
    client = client or make_client(config, jobs=jobs)
    return _publish(client, config, build_dir, files, keep, jobs, started)


def _publish(client, config, build_dir, files, keep, jobs, started) -> PublishResult:
    live = _read_json(client, config, config.live_key)
    previous = live.get("release") if live else None
    old_files: dict[str, dict] = {}
    if previous:
        manifest = _read_json(client, config, config.manifest_key(previous))
        old_files = manifest["files"] if manifest else {}
    new_files = {path: entry.as_manifest() for path, entry in files.items()}
    result = PublishResult(release=previous or "", previous=previous, build=build_dir.name)
    if previous and new_files == old_files:
        result.root = config.release_root(previous)
        result.unchanged = list(files)  # nothing to do: the live release is this site
        result.seconds = time.monotonic() - started
        return result

    release = _release_id()
    root = config.release_root(release)
    result.release, result.root = release, root
    tasks: list[Callable[[], str]] = []
    for path, entry in files.items():
        old = old_files.get(path)
        if old and old["sha256"] == entry.sha256:
            result.unchanged.append(path)
            tasks.append(
                lambda p=path, e=entry: _copy(client, config, previous, build_dir, root, p, e)
            )
        else:
            tasks.append(lambda p=path, e=entry: _upload(client, config, build_dir, root, p, e))
    result.removed = sorted(set(old_files) - set(files))

    try:
        done = _run_all(tasks, jobs)
        result.uploaded = [path for path, how in zip(files, done, strict=True) if how == "put"]
        result.copied = [path for path, how in zip(files, done, strict=True) if how == "copy"]
        _check_complete(client, config, release, new_files)
        current = _read_json(client, config, config.live_key)
        if (current.get("release") if current else None) != previous:
            raise PublishError(
                f"Another publish switched live.json to {current and current.get('release')}"
                f" meanwhile; release {release} was not switched: publish again"
            )
        manifest = {
            "format": MANIFEST_FORMAT,
            "release": release,
            "build": build_dir.name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": new_files,
        }
        _put_json(client, config, config.manifest_key(release), manifest, POINTER_CACHE)
        # The switch: one small object, replaced atomically.
        record = _live_record(config, release, previous, build_dir.name)
        _put_json(client, config, config.live_key, record, POINTER_CACHE)
    except BaseException:
        _discard(client, config, release)
        raise
    result.switched = True
    try:
        result.pruned = prune(config, keep=keep, client=client, newest=release)
    except (BotoCoreError, ClientError, PublishError) as exc:
        result.prune_error = str(exc)
    result.seconds = time.monotonic() - started
    return result


def _discard(client, config: S3Config, release: str) -> None:
    """Best effort: a partial release the next prune would otherwise delete."""
    current = _read_json_quietly(client, config, config.live_key)
    if current and current.get("release") == release:
        return
    with contextlib.suppress(BotoCoreError, ClientError, PublishError):
        _delete_release(client, config, release)


def _read_json_quietly(client, config: S3Config, key: str) -> dict | None:
    try:
        return _read_json(client, config, key)
    except (BotoCoreError, ClientError, ValueError):
        return None


def _upload(client, config, build_dir: Path, root: str, path: str, entry: SiteFile) -> str:
    body = (build_dir / path).read_bytes()
    if hashlib.sha256(body).hexdigest() != entry.sha256:
        raise PublishError(f"{path} changed while publishing")
    client.put_object(
        Bucket=config.bucket,
        Key=root + path,
        Body=body,
        ContentType=entry.content_type,
        CacheControl=entry.cache_control,
        ContentMD5=base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode(),
        Metadata={"sha256": entry.sha256},
    )
    return "put"


def _copy(client, config, previous, build_dir, root: str, path: str, entry: SiteFile) -> str:
    try:
        client.copy_object(
            Bucket=config.bucket,
            Key=root + path,
            CopySource={"Bucket": config.bucket, "Key": config.release_root(previous) + path},
            MetadataDirective="REPLACE",  # headers follow the current rules, not the old object's
            ContentType=entry.content_type,
            CacheControl=entry.cache_control,
            Metadata={"sha256": entry.sha256},
        )
    except ClientError as exc:
        if _error_code(exc) not in {"NoSuchKey", "404", "NotFound"}:
            raise
        # The live release lost this file (deleted by hand?): upload it instead.
        return _upload(client, config, build_dir, root, path, entry)
    return "copy"


# --- releases: list, prune, roll back --------------------------------------------------------


@_storage_errors
def list_releases(config: S3Config, *, client=None) -> list[Release]:
    """Every release in the bucket, newest first."""
    client = client or make_client(config)
    prefixes, manifests = _release_ids(client, config)
    live = _read_json(client, config, config.live_key)
    live_id = live.get("release") if live else None
    return [
        Release(release, release in manifests, release == live_id)
        for release in sorted(prefixes | manifests, reverse=True)
    ]


@_storage_errors
def prune(
    config: S3Config, *, keep: int = KEEP_RELEASES, client=None, newest: str | None = None
) -> list[str]:
    """Delete all but the newest ``keep`` complete releases (never the live one), and any
    incomplete release older than ``newest`` (left by a failed publish). Returns what went."""
    client = client or make_client(config)
    prefixes, manifests = _release_ids(client, config)
    live = _read_json(client, config, config.live_key)
    kept = set(sorted(manifests, reverse=True)[:keep])
    if live:
        kept.add(live["release"])
    doomed = sorted(manifests - kept)
    if newest:
        doomed += sorted(p for p in prefixes - manifests if p < newest)
    for release in doomed:
        _delete_release(client, config, release)
    return doomed


@_storage_errors
def rollback(config: S3Config, release: str | None = None, *, client=None) -> tuple[str, str]:
    """Point ``live.json`` at ``release`` (default: the newest complete release older than the
    live one). Returns (from, to)."""
    client = client or make_client(config)
    live = _read_json(client, config, config.live_key)
    if not live:
        raise PublishError("Nothing is live: no live.json in the bucket")
    current = live["release"]
    _, manifests = _release_ids(client, config)
    if release is None:
        older = sorted((m for m in manifests if m < current), reverse=True)
        if not older:
            raise PublishError(f"No complete release older than {current} to roll back to")
        release = older[0]
    if release not in manifests:
        raise PublishError(f"No complete release {release} (see --list)")
    manifest = _read_json(client, config, config.manifest_key(release)) or {}
    _check_complete(client, config, release, manifest.get("files", {}))
    if release != current:
        record = _live_record(config, release, current, manifest.get("build", ""))
        _put_json(client, config, config.live_key, record, POINTER_CACHE)
    return current, release
