"""The object store a release is published to (S3 or one compatible with it): its settings from
the environment, its client, and the few calls :mod:`portal.publish` and :mod:`portal.releases`
make of it. A store's own errors become :class:`PublishError` (:func:`storage_errors`)."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

JOBS = 8
LIVE_KEY = "live.json"
POINTER_CACHE = "no-cache, max-age=0"


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


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def read_json(client, config: S3Config, key: str) -> dict | None:
    try:
        body = client.get_object(Bucket=config.bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if error_code(exc) in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    return json.loads(body)


def put_json(client, config: S3Config, key: str, data: dict, cache: str) -> None:
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()
    client.put_object(
        Bucket=config.bucket,
        Key=key,
        Body=body,
        ContentType="application/json",
        CacheControl=cache,
        ContentMD5=base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode(),
    )


def list_objects(client, config: S3Config, prefix: str) -> Iterator[dict]:
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=config.bucket, Prefix=prefix
    ):
        yield from page.get("Contents", [])


def release_ids(client, config: S3Config) -> tuple[set[str], set[str]]:
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
        for item in list_objects(client, config, manifests_root)
        if item["Key"].endswith(".json")
    }
    return prefixes, manifests


def delete_keys(client, config: S3Config, keys: Iterable[str]) -> None:
    keys = list(keys)
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        answer = client.delete_objects(
            Bucket=config.bucket, Delete={"Objects": batch, "Quiet": True}
        )
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise PublishError(f"Could not delete {first.get('Key')}: {first.get('Message')}")


def delete_release(client, config: S3Config, release: str) -> None:
    # The manifest first: from then on the release is incomplete, never a rollback target.
    delete_keys(client, config, [config.manifest_key(release)])
    delete_keys(
        client,
        config,
        [o["Key"] for o in list_objects(client, config, config.release_root(release))],
    )


def check_complete(client, config: S3Config, release: str, files: Mapping[str, dict]) -> None:
    root = config.release_root(release)
    present = {o["Key"][len(root) :]: o["Size"] for o in list_objects(client, config, root)}
    missing = [path for path, entry in files.items() if present.get(path) != entry["size"]]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise PublishError(f"Release {release} is incomplete: {len(missing)} missing ({shown})")


def storage_errors(function):
    """Raise the store's own errors as :class:`PublishError`, with what the store said."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise PublishError(f"Object storage error: {exc}") from exc

    return wrapper


@storage_errors
def read_live(config: S3Config, *, client=None) -> dict | None:
    client = client or make_client(config)
    return read_json(client, config, config.live_key)


def live_record(config: S3Config, release: str, previous: str | None, build: str) -> dict:
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
