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

What each file is stored with is :mod:`portal.site_files`; the store's calls are
:mod:`portal.storage`; listing, pruning and rolling back releases is :mod:`portal.releases`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .releases import KEEP_RELEASES, prune
from .site_files import SiteFile, scan_site
from .storage import (
    JOBS,
    POINTER_CACHE,
    PublishError,
    S3Config,
    check_complete,
    delete_release,
    error_code,
    live_record,
    make_client,
    put_json,
    read_json,
    storage_errors,
)

MANIFEST_FORMAT = 1


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
class _Release:
    """A release being made: where its files go, and the live one its unchanged files are copied
    from."""

    client: Any
    config: S3Config
    build_dir: Path
    id: str
    previous: str | None

    @property
    def root(self) -> str:
        return self.config.release_root(self.id)

    def upload(self, path: str, entry: SiteFile) -> str:
        body = (self.build_dir / path).read_bytes()
        if hashlib.sha256(body).hexdigest() != entry.sha256:
            raise PublishError(f"{path} changed while publishing")
        self.client.put_object(
            Bucket=self.config.bucket,
            Key=self.root + path,
            Body=body,
            ContentType=entry.content_type,
            CacheControl=entry.cache_control,
            ContentMD5=base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode(),
            Metadata={"sha256": entry.sha256},
        )
        return "put"

    def copy(self, path: str, entry: SiteFile) -> str:
        config = self.config
        try:
            self.client.copy_object(
                Bucket=config.bucket,
                Key=self.root + path,
                CopySource={
                    "Bucket": config.bucket,
                    "Key": config.release_root(self.previous) + path,
                },
                # The headers follow the current rules, not the old object's.
                MetadataDirective="REPLACE",
                ContentType=entry.content_type,
                CacheControl=entry.cache_control,
                Metadata={"sha256": entry.sha256},
            )
        except ClientError as exc:
            if error_code(exc) not in {"NoSuchKey", "404", "NotFound"}:
                raise
            # The live release lost this file (deleted by hand?): upload it instead.
            return self.upload(path, entry)
        return "copy"

    def discard(self) -> None:
        """Best effort: a partial release the next prune would otherwise delete."""
        current = _read_json_quietly(self.client, self.config, self.config.live_key)
        if current and current.get("release") == self.id:
            return
        with contextlib.suppress(BotoCoreError, ClientError, PublishError):
            delete_release(self.client, self.config, self.id)


def _read_json_quietly(client, config: S3Config, key: str) -> dict | None:
    try:
        return read_json(client, config, key)
    except (BotoCoreError, ClientError, ValueError):
        return None


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


@storage_errors
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
    live = read_json(client, config, config.live_key)
    previous = live.get("release") if live else None
    old_files: dict[str, dict] = {}
    if previous:
        manifest = read_json(client, config, config.manifest_key(previous))
        old_files = manifest["files"] if manifest else {}
    result = PublishResult(release=previous or "", previous=previous, build=build_dir.name)
    if previous and {path: entry.as_manifest() for path, entry in files.items()} == old_files:
        result.root = config.release_root(previous)
        result.unchanged = list(files)  # nothing to do: the live release is this site
    else:
        release = _Release(client, config, build_dir, _release_id(), previous)
        _fill_and_switch(release, files, old_files, result, jobs)
        try:
            result.pruned = prune(config, keep=keep, client=client, newest=release.id)
        except (BotoCoreError, ClientError, PublishError) as exc:
            result.prune_error = str(exc)
    result.seconds = time.monotonic() - started
    return result


def _fill_and_switch(
    release: _Release,
    files: dict[str, SiteFile],
    old_files: dict[str, dict],
    result: PublishResult,
    jobs: int,
) -> None:
    """Fills ``release`` (unchanged files copied in the store, the others uploaded), checks it is
    complete and that no other publish switched meanwhile, and switches ``live.json`` to it. A
    failure deletes what was made of it."""
    result.release, result.root = release.id, release.root
    tasks: list[Callable[[], str]] = []
    for path, entry in files.items():
        old = old_files.get(path)
        if old and old["sha256"] == entry.sha256:
            result.unchanged.append(path)
            tasks.append(lambda p=path, e=entry: release.copy(p, e))
        else:
            tasks.append(lambda p=path, e=entry: release.upload(p, e))
    result.removed = sorted(set(old_files) - set(files))
    try:
        done = _run_all(tasks, jobs)
        result.uploaded = [path for path, how in zip(files, done, strict=True) if how == "put"]
        result.copied = [path for path, how in zip(files, done, strict=True) if how == "copy"]
        _switch(release, {path: entry.as_manifest() for path, entry in files.items()})
    except BaseException:
        release.discard()
        raise
    result.switched = True


def _switch(release: _Release, new_files: dict[str, dict]) -> None:
    client, config = release.client, release.config
    check_complete(client, config, release.id, new_files)
    current = read_json(client, config, config.live_key)
    if (current.get("release") if current else None) != release.previous:
        raise PublishError(
            f"Another publish switched live.json to {current and current.get('release')}"
            f" meanwhile; release {release.id} was not switched: publish again"
        )
    manifest = {
        "format": MANIFEST_FORMAT,
        "release": release.id,
        "build": release.build_dir.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": new_files,
    }
    put_json(client, config, config.manifest_key(release.id), manifest, POINTER_CACHE)
    # The switch: one small object, replaced atomically.
    record = live_record(config, release.id, release.previous, release.build_dir.name)
    put_json(client, config, config.live_key, record, POINTER_CACHE)
