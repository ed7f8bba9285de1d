"""Publishing to S3-compatible storage, against a local moto server started by these tests.

Pages are read back over plain HTTP (path-style ``/<bucket>/<key>``), as a static host would.
"""

import itertools
import json
import logging
import threading
import uuid
from pathlib import Path

import pytest
import requests
from moto.server import ThreadedMotoServer

from portal.__main__ import main
from portal.publish import publish
from portal.releases import list_releases, rollback
from portal.site_files import cache_control, content_type
from portal.storage import PublishError, S3Config, make_client, read_live

SITE = {
    "index.html": "<!doctype html><html lang=zh-CN><title>首页</title><p>公示平台</p>",
    "notices/index.html": "<!doctype html><title>公示公告</title><p>第一版</p>",
    "policies/exemption-policy/index.html": "<!doctype html><title>政策</title><p>容错免责</p>",
    "theme/css/site.css": "body { color: #222; }\n",
    "feeds/notices.atom.xml": '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="x"></feed>',
    "results/marks.csv": "项目编号,标注\nA-1,免责\n",
}


@pytest.fixture(scope="module")
def s3_server():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def config(s3_server, monkeypatch, tmp_path):
    # Fake credentials only, and no profile or config file of whoever runs the tests.
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    config = S3Config(
        bucket=f"portal-{uuid.uuid4().hex[:12]}",
        endpoint_url=s3_server,
        region="us-east-1",
        prefix="site",
    )
    client = make_client(config)
    client.create_bucket(Bucket=config.bucket)
    # Public read, as the bucket behind a static host or CDN would have it.
    client.put_bucket_policy(
        Bucket=config.bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{config.bucket}/*",
                    }
                ],
            }
        ),
    )
    return config


class Recorder:
    """The keys of every PutObject and CopyObject a client sends."""

    def __init__(self, client):
        self.client = client
        self.puts: list[str] = []
        self.copies: list[str] = []
        self._lock = threading.Lock()
        client.meta.events.register("before-parameter-build.s3.PutObject", self._put)
        client.meta.events.register("before-parameter-build.s3.CopyObject", self._copy)

    def _put(self, params, **_):
        with self._lock:
            self.puts.append(params["Key"])

    def _copy(self, params, **_):
        with self._lock:
            self.copies.append(params["Key"])

    def reset(self):
        self.puts.clear()
        self.copies.clear()


@pytest.fixture
def recorder(config):
    return Recorder(make_client(config))


def write_site(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def fetch(config: S3Config, key: str) -> requests.Response:
    return requests.get(f"{config.endpoint_url}/{config.bucket}/{key}", timeout=5)


def live_release(config: S3Config) -> str:
    response = fetch(config, config.live_key)
    assert response.status_code == 200
    return response.json()["release"]


def test_first_publish_uploads_everything_servable_with_types_and_caching(
    config, recorder, tmp_path
):
    site = write_site(tmp_path / "v1", SITE)
    result = publish(site, config, client=recorder.client)

    assert result.switched and result.previous is None
    assert sorted(result.uploaded) == sorted(SITE) and result.copied == []
    assert live_release(config) == result.release
    root = f"site/releases/{result.release}/"
    assert result.root == root
    page = fetch(config, root + "notices/index.html")
    assert page.status_code == 200
    assert page.content.decode("utf-8") == SITE["notices/index.html"]
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Cache-Control"] == "public, max-age=60"
    css = fetch(config, root + "theme/css/site.css")
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert css.headers["Cache-Control"] == "public, max-age=86400"
    assert fetch(config, root + "feeds/notices.atom.xml").headers["Content-Type"] == (
        "application/atom+xml"
    )
    assert fetch(config, root + "results/marks.csv").headers["Content-Type"] == (
        "text/csv; charset=utf-8"
    )
    pointer = fetch(config, "site/live.json")
    assert pointer.headers["Cache-Control"] == "no-cache, max-age=0"
    assert pointer.json()["origin_path"] == f"/site/releases/{result.release}"
    manifest = fetch(config, f"site/manifests/{result.release}.json").json()
    assert set(manifest["files"]) == set(SITE)
    # Exactly one PUT per file, plus the manifest and the pointer; nothing copied.
    assert sorted(recorder.puts) == sorted(
        [root + path for path in SITE] + [f"site/manifests/{result.release}.json", "site/live.json"]
    )
    assert recorder.copies == []


def test_second_publish_uploads_only_the_changed_file_and_switches(config, recorder, tmp_path):
    first = publish(write_site(tmp_path / "v1", SITE), config, client=recorder.client)
    changed = {**SITE, "notices/index.html": "<!doctype html><title>公示公告</title><p>第二版</p>"}
    recorder.reset()

    second = publish(write_site(tmp_path / "v2", changed), config, client=recorder.client)

    assert second.switched and second.previous == first.release
    assert second.release > first.release
    assert second.uploaded == ["notices/index.html"]
    assert sorted(second.copied) == sorted(set(SITE) - {"notices/index.html"})
    # The store saw one file PUT, the manifest and the pointer: unchanged files were not
    # re-uploaded but copied server-side, each once.
    new_root = f"site/releases/{second.release}/"
    assert sorted(recorder.puts) == sorted(
        [
            new_root + "notices/index.html",
            f"site/manifests/{second.release}.json",
            "site/live.json",
        ]
    )
    assert sorted(recorder.copies) == sorted(new_root + path for path in second.copied)
    assert live_release(config) == second.release
    assert fetch(config, new_root + "notices/index.html").text == changed["notices/index.html"]
    copied = fetch(config, new_root + "theme/css/site.css")
    assert copied.text == SITE["theme/css/site.css"]
    assert copied.headers["Content-Type"] == "text/css; charset=utf-8"
    # The previous release is untouched and still readable, so rolling back is one switch.
    old = fetch(config, f"site/releases/{first.release}/notices/index.html")
    assert old.status_code == 200 and old.text == SITE["notices/index.html"]

    assert rollback(config, client=recorder.client) == (second.release, first.release)
    assert live_release(config) == first.release
    assert read_live(config)["previous"] == second.release
    # Forward again, by name.
    assert rollback(config, second.release) == (first.release, second.release)
    assert live_release(config) == second.release


def test_publishing_the_live_site_again_changes_nothing(config, recorder, tmp_path):
    site = write_site(tmp_path / "v1", SITE)
    first = publish(site, config, client=recorder.client)
    recorder.reset()

    again = publish(site, config, client=recorder.client)

    assert not again.switched and again.release == first.release
    assert again.uploaded == [] and again.copied == []
    assert sorted(again.unchanged) == sorted(SITE)
    assert recorder.puts == [] and recorder.copies == []
    assert len(list_releases(config)) == 1


def test_a_failed_upload_leaves_the_previous_release_live(config, recorder, tmp_path):
    first = publish(write_site(tmp_path / "v1", SITE), config, client=recorder.client)
    changed = {path: text + "<!-- v2 -->" for path, text in SITE.items() if path.endswith("html")}
    site = write_site(tmp_path / "v2", {**SITE, **changed})
    puts = itertools.count(1)

    def fail_on_second_put(**_):
        if next(puts) == 2:
            raise ConnectionError("network lost during the second PUT")

    recorder.client.meta.events.register("before-parameter-build.s3.PutObject", fail_on_second_put)
    with pytest.raises(ConnectionError):
        publish(site, config, client=recorder.client)

    assert live_release(config) == first.release
    assert (
        fetch(config, f"site/releases/{first.release}/notices/index.html").text
        == (SITE["notices/index.html"])
    )
    # The half-filled release was never given a manifest and has been cleared away.
    assert [(r.id, r.complete, r.live) for r in list_releases(config)] == [
        (first.release, True, True)
    ]
    # The store recovers: the next publish completes and uploads only the changed files.
    recorder.client.meta.events.unregister(
        "before-parameter-build.s3.PutObject", fail_on_second_put
    )
    retried = publish(site, config, client=recorder.client)
    assert sorted(retried.uploaded) == sorted(changed)
    assert live_release(config) == retried.release


def test_a_file_missing_from_the_live_release_is_uploaded_instead_of_copied(
    config, recorder, tmp_path
):
    first = publish(write_site(tmp_path / "v1", SITE), config, client=recorder.client)
    recorder.client.delete_object(
        Bucket=config.bucket, Key=f"site/releases/{first.release}/theme/css/site.css"
    )
    changed = {**SITE, "index.html": "<p>新首页</p>"}

    second = publish(write_site(tmp_path / "v2", changed), config, client=recorder.client)

    assert sorted(second.uploaded) == ["index.html", "theme/css/site.css"]
    assert "theme/css/site.css" not in second.copied
    css = fetch(config, f"site/releases/{second.release}/theme/css/site.css")
    assert css.text == SITE["theme/css/site.css"]


def test_old_releases_are_pruned_to_keep_and_incomplete_ones_removed(config, tmp_path):
    client = make_client(config)
    releases = []
    for number in range(3):
        site = write_site(tmp_path / f"v{number}", {**SITE, "index.html": f"<p>{number}</p>"})
        releases.append(publish(site, config, client=client, keep=2))
    # An incomplete release left behind by a publisher that died before cleaning up.
    client.put_object(Bucket=config.bucket, Key="site/releases/20000101T000000000000Z/x.html")
    site = write_site(tmp_path / "v3", {**SITE, "index.html": "<p>3</p>"})
    last = publish(site, config, client=client, keep=2)

    assert set(last.pruned) == {releases[1].release, "20000101T000000000000Z"}
    assert [r.id for r in list_releases(config)] == [last.release, releases[2].release]
    assert fetch(config, f"site/releases/{releases[0].release}/index.html").status_code in {
        403,
        404,
    }
    with pytest.raises(PublishError, match="No complete release"):
        rollback(config, releases[0].release)


def test_a_directory_without_index_html_is_refused(config, tmp_path):
    site = write_site(tmp_path / "empty", {"theme/css/site.css": "body {}"})
    with pytest.raises(PublishError, match=r"no index\.html"):
        publish(site, config)
    assert read_live(config) is None


def test_command_line_publish_list_and_rollback(config, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PORTAL_S3_BUCKET", config.bucket)
    monkeypatch.setenv("PORTAL_S3_ENDPOINT_URL", config.endpoint_url)
    monkeypatch.setenv("PORTAL_S3_REGION", "us-east-1")
    monkeypatch.setenv("PORTAL_S3_PREFIX", "site/")
    # The default site is a link to a build directory, as portal.build leaves it.
    build = write_site(tmp_path / "builds" / "20260101T000000000000Z", SITE)
    (tmp_path / "output").symlink_to(build)

    assert main(["publish", "--site", str(tmp_path / "output")]) == 0
    first = live_release(config)
    out = capsys.readouterr().out
    assert f"Published release {first}" in out
    assert "uploaded (new or changed): 6" in out
    assert f"build 20260101T000000000000Z → s3://{config.bucket}/site/releases/{first}/" in out

    (build / "index.html").write_text("<p>改</p>", encoding="utf-8")
    assert main(["publish", "--site", str(tmp_path / "output")]) == 0
    out = capsys.readouterr().out
    assert "uploaded (new or changed): 1\n    index.html" in out
    assert "unchanged (copied server-side, not uploaded): 5" in out
    second = live_release(config)

    assert main(["publish", "--list"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{second}  live", first]
    assert main(["publish", "--rollback"]) == 0
    assert f"live.json {second} → {first}" in capsys.readouterr().out
    assert live_release(config) == first

    assert main(["publish", "--site", str(build), "--bucket", "no-such-bucket-here"]) == 1
    assert "Publish failed, live site unchanged" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        ("notices/index.html", b"", "text/html; charset=utf-8"),
        ("theme/css/site.css", b"", "text/css; charset=utf-8"),
        ("theme/js/site.js", b"", "application/javascript; charset=utf-8"),
        ("api/notices.json", b"", "application/json"),
        ("sitemap.xml", b'<?xml version="1.0"?><urlset>', "application/xml"),
        ("feeds/all.xml", b'<?xml version="1.0"?>\n<!-- a --><rss>', "application/rss+xml"),
        ("feeds/all.xml", b'<?xml version="1.0"?><feed xmlns="x">', "application/atom+xml"),
        ("feeds/all.rss", b"", "application/rss+xml"),
        ("results/marks.csv", b"", "text/csv; charset=utf-8"),
        ("notices/window.ics", b"", "text/calendar; charset=utf-8"),
        ("files/a.bin", b"", "application/octet-stream"),
    ],
)  # fmt: skip
def test_content_types(path, head, expected):
    assert content_type(path, head) == expected


def test_cache_control_is_short_for_documents_and_long_for_the_theme():
    assert cache_control("index.html") == "public, max-age=60"
    assert cache_control("feeds/all.atom.xml") == "public, max-age=60"
    assert cache_control("theme/css/site.css") == "public, max-age=86400"
    assert cache_control("images/logo.png") == "public, max-age=3600"
    for path in ("record/record.jsonl", "record/head.json", "record/head.json.sig",
                 "record/public-key.pem"):  # fmt: skip
        assert cache_control(path) == "public, max-age=60", path


def test_configuration_from_the_environment():
    environ = {
        "PORTAL_S3_BUCKET": "portal",
        "PORTAL_S3_ENDPOINT_URL": "https://oss.example.cn",
        "PORTAL_S3_REGION": "cn-hangzhou",
        "PORTAL_S3_PREFIX": "/publicity/",
    }
    config = S3Config.from_env(environ)
    assert (config.bucket, config.endpoint_url, config.region) == (
        "portal",
        "https://oss.example.cn",
        "cn-hangzhou",
    )
    assert config.live_key == "publicity/live.json"
    assert config.release_root("r1") == "publicity/releases/r1/"
    assert S3Config.from_env(environ, bucket="other").bucket == "other"
    with pytest.raises(PublishError, match="PORTAL_S3_BUCKET"):
        S3Config.from_env({})
