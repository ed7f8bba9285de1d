"""The releases in the store: listed, pruned to the newest few, and rolled back to.

A release is complete when its manifest exists (:mod:`portal.publish` writes it last, just before
``live.json``); only a complete release is ever live or a target of rollback.
"""

from dataclasses import dataclass

from .storage import (
    POINTER_CACHE,
    PublishError,
    S3Config,
    check_complete,
    delete_release,
    live_record,
    make_client,
    put_json,
    read_json,
    release_ids,
    storage_errors,
)

KEEP_RELEASES = 5


@dataclass(frozen=True)
class Release:
    id: str
    complete: bool  # its manifest exists
    live: bool


@storage_errors
def list_releases(config: S3Config, *, client=None) -> list[Release]:
    """Every release in the bucket, newest first."""
    client = client or make_client(config)
    prefixes, manifests = release_ids(client, config)
    live = read_json(client, config, config.live_key)
    live_id = live.get("release") if live else None
    return [
        Release(release, release in manifests, release == live_id)
        for release in sorted(prefixes | manifests, reverse=True)
    ]


@storage_errors
def prune(
    config: S3Config, *, keep: int = KEEP_RELEASES, client=None, newest: str | None = None
) -> list[str]:
    """Delete all but the newest ``keep`` complete releases (never the live one), and any
    incomplete release older than ``newest`` (left by a failed publish). Returns what went."""
    client = client or make_client(config)
    prefixes, manifests = release_ids(client, config)
    live = read_json(client, config, config.live_key)
    kept = set(sorted(manifests, reverse=True)[:keep])
    if live:
        kept.add(live["release"])
    doomed = sorted(manifests - kept)
    if newest:
        doomed += sorted(p for p in prefixes - manifests if p < newest)
    for release in doomed:
        delete_release(client, config, release)
    return doomed


@storage_errors
def rollback(config: S3Config, release: str | None = None, *, client=None) -> tuple[str, str]:
    """Point ``live.json`` at ``release`` (default: the newest complete release older than the
    live one). Returns (from, to)."""
    client = client or make_client(config)
    live = read_json(client, config, config.live_key)
    if not live:
        raise PublishError("Nothing is live: no live.json in the bucket")
    current = live["release"]
    _, manifests = release_ids(client, config)
    if release is None:
        older = sorted((m for m in manifests if m < current), reverse=True)
        if not older:
            raise PublishError(f"No complete release older than {current} to roll back to")
        release = older[0]
    if release not in manifests:
        raise PublishError(f"No complete release {release} (see --list)")
    manifest = read_json(client, config, config.manifest_key(release)) or {}
    check_complete(client, config, release, manifest.get("files", {}))
    if release != current:
        record = live_record(config, release, current, manifest.get("build", ""))
        put_json(client, config, config.live_key, record, POINTER_CACHE)
    return current, release
