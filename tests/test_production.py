"""Production settings: Django's deployment checks pass with nothing but the documented
environment (deploy/production.env.example), secrets are required, and the content security
policy is strict everywhere except where Wagtail's admin needs inline scripts."""

import importlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / "deploy" / "production.env.example"
# Stand-ins for the values the example leaves empty. Nothing listens on 127.0.0.1:1, so a check
# that touched the database (or object storage) would fail loudly instead of passing.
DUMMIES = {
    "DJANGO_SECRET_KEY": "test-only-" + "k7Qz3xW9pL2m" * 5,
    "DATABASE_URL": "postgres://cms:dummy@127.0.0.1:1/cms",
    "EMAIL_HOST_PASSWORD": "dummy",
}
S3 = {
    "AWS_STORAGE_BUCKET_NAME": "exemption-cms",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:1",
    "AWS_S3_REGION_NAME": "cn-east-1",
    "AWS_ACCESS_KEY_ID": "dummy-access-key",
    "AWS_SECRET_ACCESS_KEY": "dummy-secret-key",
}


# Tests that start their own processes and never touch the test database run in the SQLite pass
# of `make test` only; the PostgreSQL pass would repeat them unchanged.
database_independent = pytest.mark.skipif(
    os.environ.get("EXPECT_DATABASE_VENDOR") == "postgresql",
    reason="independent of the test database: runs in the SQLite pass",
)


def documented_env() -> dict[str, str]:
    """The example file's variables, its empty values filled with the dummies."""
    env = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            env[name.strip()] = value or DUMMIES[name.strip()]
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """manage.py in a fresh process whose environment is exactly ``env`` (plus PATH/HOME)."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_example_names_every_required_variable():
    env = documented_env()
    assert env["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
        assert name in env
        assert env[name] == DUMMIES[name], f"{name} must be left empty in the example"
    for name in ("DJANGO_ALLOWED_HOSTS", "CMS_BASE_URL", "PORTAL_BASE_URL"):
        assert env[name]


@database_independent
def test_bash_reads_the_example_as_systemd_does():
    """deploy/manage.sh (cron, operators) sources the file the services load."""
    script = 'set -a; . "$1"; set +a; printf "%s\\0" "$DJANGO_ADMINS" "$CMS_BASE_URL"'
    completed = subprocess.run(
        ["bash", "-c", script, "bash", ENV_EXAMPLE],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        check=True,
    )
    env = documented_env()
    assert completed.stdout.split("\0")[:2] == [env["DJANGO_ADMINS"], env["CMS_BASE_URL"]]


@database_independent
@pytest.mark.parametrize("storage", ["filesystem", "s3"])
def test_deploy_checks_pass_with_only_the_documented_environment(storage):
    env = documented_env() | (S3 if storage == "s3" else {})
    completed = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "System check identified no issues" in output, output


@database_independent
@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = documented_env()
    del env[missing]
    completed = manage("check", env=env)
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert f"Environment variable {missing} must be set in production." in completed.stderr


@database_independent
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Environment variable NUM_PROXIES must be set in production: the number of"),
        ("-1", "NUM_PROXIES must be a whole number of proxies (0 or more), not '-1'."),
        ("one", "NUM_PROXIES must be a whole number of proxies (0 or more), not 'one'."),
    ],
    ids=["unset", "negative", "not-a-number"],
)
def test_production_refuses_to_start_without_a_count_of_trusted_proxies(value, message):
    """The rate limits' client address depends on it; 0 (no proxy) must be said explicitly."""
    env = documented_env()
    if value is None:
        del env["NUM_PROXIES"]
    else:
        env["NUM_PROXIES"] = value
    completed = manage("check", env=env)
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert message in completed.stderr


@database_independent
@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("embedded-mode-only-not-a-secret", "DJANGO_SECRET_KEY is the embedded mode's public key"),
        ("x7" * 24 + "q", "DJANGO_SECRET_KEY must be at least 50 characters in production"),
    ],
    ids=["embedded-default", "49-characters"],
)
def test_production_refuses_a_secret_key_that_is_not_secret(key, message):
    env = documented_env() | {"DJANGO_SECRET_KEY": key}
    completed = manage("check", env=env)
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert message in completed.stderr


def wsgi_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Imports cms.wsgi as a WSGI server would, then prints the settings it loaded."""
    script = (
        "import cms.wsgi\n"
        "from django.conf import settings\n"
        "print(settings.SETTINGS_MODULE, settings.DEBUG)\n"
    )
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@database_independent
def test_a_wsgi_server_started_without_settings_gets_production_not_debug():
    env = documented_env()
    del env["DJANGO_SETTINGS_MODULE"]
    completed = wsgi_settings(env)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split()[-2:] == ["cms.settings.production", "False"]
    # With nothing set, it refuses to start instead of running the embedded mode.
    completed = wsgi_settings({})
    assert completed.returncode != 0
    assert "Environment variable DJANGO_SECRET_KEY must be set in production." in completed.stderr


@database_independent
def test_object_storage_needs_its_credentials():
    env = documented_env() | S3
    del env["AWS_SECRET_ACCESS_KEY"]
    completed = manage("check", env=env)
    assert completed.returncode != 0
    assert "AWS_SECRET_ACCESS_KEY must be set" in completed.stderr


@database_independent
def test_health_check_answers_503_in_json_while_the_database_is_down(tmp_path):
    """The real stack: production settings, psycopg, and nothing listening on the port."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='10.0.0.7')\n"
        "print(json.dumps({'status': r.status_code, 'type': r['Content-Type'],"
        " 'body': r.json()}))\n"
    )
    env = {**documented_env(), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    env["DATABASE_URL"] = "postgres://cms:dummy@127.0.0.1:1/cms?connect_timeout=5"
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    *log_lines, result = completed.stdout.strip().splitlines()
    assert json.loads(result) == {
        "status": 503,
        "type": "application/json",
        "body": {"status": "error", "database": "unreachable"},
    }
    # Logged as one JSON line on stdout, without the password from DATABASE_URL.
    entries = [json.loads(line) for line in log_lines]
    assert any(
        e["level"] == "ERROR" and "database unreachable: OperationalError" in e["message"]
        for e in entries
    ), log_lines
    assert "dummy" not in completed.stdout + completed.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@database_independent
def test_gunicorn_serves_the_cms_with_the_sample_config(tmp_path):
    """deploy/gunicorn.conf.py as written, production settings, an (empty) SQLite database."""
    port = free_port()
    env = documented_env() | {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cms.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("w") as out, stderr.open("w") as err:
        server = subprocess.Popen(
            [gunicorn, "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                        status, body = r.status, json.load(r)
                    break
                except OSError:
                    assert server.poll() is None, stderr.read_text()
                    assert time.monotonic() < deadline, stderr.read_text()
                    time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert (status, body) == (200, {"status": "ok"})
    access = [json.loads(line) for line in stdout.read_text().splitlines() if line.strip()]
    last = access[-1]
    assert (last["logger"], last["path"], last["status"]) == ("gunicorn.access", "/healthz", 200)


# --- The same settings module, loaded in this process to read its values.

PRODUCTION = "cms.settings.production"


@pytest.fixture
def production(monkeypatch):
    """cms.settings.production as imported with the documented environment (+ object storage)."""
    env = documented_env() | S3 | {"AWS_S3_ENDPOINT_URL": "https://s3.example.org"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # A fresh base too (it reads the environment); the modules this process runs on come back.
    saved = {name: sys.modules.pop(name, None) for name in ("cms.settings.base", PRODUCTION)}
    try:
        yield importlib.import_module(PRODUCTION)
    finally:
        package = importlib.import_module("cms.settings")
        for name, module in saved.items():
            sys.modules.pop(name, None)
            attribute = name.rpartition(".")[2]
            if module is None:
                vars(package).pop(attribute, None)
            else:
                sys.modules[name] = module
                setattr(package, attribute, module)


def test_database_connections_persist_and_are_checked(production):
    database = production.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_static_files_and_media_go_to_the_bucket(production):
    default, static = production.STORAGES["default"], production.STORAGES["staticfiles"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert static["BACKEND"] == "storages.backends.s3.S3ManifestStaticStorage"
    for options in (default["OPTIONS"], static["OPTIONS"]):
        assert options["bucket_name"] == "exemption-cms"
        assert options["endpoint_url"] == "https://s3.example.org"
        assert options["region_name"] == "cn-east-1"
        assert options["access_key"] == "dummy-access-key"
    assert (default["OPTIONS"]["location"], static["OPTIONS"]["location"]) == ("media", "static")
    assert production.STORAGE_ORIGINS == ["https://s3.example.org"]


def test_admins_and_mail_come_from_the_environment(production):
    assert production.ADMINS == [("运维值班", "ops@example.org")]
    assert production.SERVER_EMAIL == "cms-errors@example.org"
    assert (production.EMAIL_HOST, production.EMAIL_PORT) == ("smtp.example.org", 587)
    assert production.EMAIL_USE_TLS is True


def test_log_records_are_single_json_lines(production):
    from cms.core.log import JsonLineFormatter

    try:
        raise ValueError("第一行\n第二行")
    except ValueError:
        record = logging.LogRecord(
            "cms.test", logging.ERROR, __file__, 1, "出错 %s", ("R-1",), sys.exc_info()
        )
    line = JsonLineFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "cms.test", "出错 R-1")
    assert "ValueError: 第一行" in entry["exc"]
    handler = production.LOGGING["handlers"]["console"]
    assert handler["stream"] == "ext://sys.stdout"
    assert production.LOGGING["formatters"][handler["formatter"]]["()"].endswith(
        "JsonLineFormatter"
    )


@pytest.fixture
def production_http(production, settings):
    """This test process's settings with production's middleware, CSP and HTTPS settings."""
    for name in (
        "MIDDLEWARE",
        "CONTENT_SECURITY_POLICY",
        "CSP_RELAXED_PATH_PREFIXES",
        "CSP_RELAXED_DIRECTIVES",
        "X_FRAME_OPTIONS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    ):
        setattr(settings, name, getattr(production, name))
    settings.ALLOWED_HOSTS = ["cms.example.org"]
    return settings


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


HTTPS = {"HTTP_HOST": "cms.example.org", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.mark.django_db
def test_public_responses_get_the_strict_policy_and_hsts(production_http, client):
    response = client.get("/api/schema/", **HTTPS)
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["script-src"] == ["'self'", "https://s3.example.org"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production_http, client):
    response = client.get("/api/schema/", HTTP_HOST="cms.example.org")
    assert response.status_code == 301
    assert response["Location"] == "https://cms.example.org/api/schema/"


@pytest.mark.django_db
def test_the_admin_may_run_inline_scripts_but_load_nothing_from_other_hosts(
    production_http, client
):
    response = client.get("/admin/login/", **HTTPS)
    assert response.status_code == 200
    csp = policy(response)
    assert "'unsafe-inline'" in csp["script-src"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    allowed = {"'self'", "'unsafe-inline'", "'none'", "data:", "blob:", "https://s3.example.org"}
    for name, values in csp.items():
        if name != "upgrade-insecure-requests":
            assert set(values) <= allowed, (name, values)
    assert csp["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_wagtail_previews_may_be_framed_by_the_cms_itself(production_http, admin_client):
    from wagtail.models import Page

    page = Page.objects.filter(depth=2).first()
    response = admin_client.get(f"/admin/pages/{page.pk}/edit/preview/", **HTTPS)
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert policy(response)["frame-ancestors"] == ["'self'"]


@pytest.mark.django_db
def test_load_balancer_probes_reach_the_health_check_over_http_with_any_host(
    production_http, client
):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.head("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
