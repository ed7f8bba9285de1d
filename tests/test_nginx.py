"""The sample nginx servers (deploy/nginx/): the portal's security headers and caching, read
from the file; the theme they protect has no inline script or style; and, where nginx is
installed, `nginx -t` accepts both files together."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Nothing here uses the database: the SQLite pass of `make test` covers it.
pytestmark = pytest.mark.skipif(
    os.environ.get("EXPECT_DATABASE_VENDOR") == "postgresql",
    reason="independent of the test database: runs in the SQLite pass",
)

ROOT = Path(__file__).resolve().parent.parent
NGINX = ROOT / "deploy" / "nginx"
THEME = ROOT / "themes" / "publicity"
CMS_ORIGIN = "$cms_origin"


@dataclass
class Block:
    name: str
    directives: list[str] = field(default_factory=list)
    children: list["Block"] = field(default_factory=list)

    def find(self, name: str) -> list["Block"]:
        return [child for child in self.children if child.name == name]

    def descendants(self) -> list["Block"]:
        return [block for child in self.children for block in (child, *child.descendants())]


def parse(path: Path) -> Block:
    """Enough of nginx's syntax for these files: comments, quoted strings, blocks, ``;``."""
    text = re.sub(r"(?m)^\s*#.*$", "", path.read_text(encoding="utf-8"))
    root = Block("")
    stack, current, quote = [root], "", None
    for char in text:
        if quote:
            current += char
            quote = None if char == quote else quote
        elif char in "\"'":
            current += char
            quote = char
        elif char == "{":
            block = Block(" ".join(current.split()))
            stack[-1].children.append(block)
            stack.append(block)
            current = ""
        elif char == "}":
            assert not current.strip(), f"directive without ';' in {path}: {current!r}"
            stack.pop()
        elif char == ";":
            stack[-1].directives.append(" ".join(current.split()))
            current = ""
        else:
            current += char
    assert len(stack) == 1, f"unbalanced braces in {path}"
    return root


def tls_server(path: Path, server_name: str) -> Block:
    for server in parse(path).find("server"):
        if f"server_name {server_name}" in server.directives and any(
            d.startswith("listen 443 ssl") for d in server.directives
        ):
            return server
    raise AssertionError(f"no TLS server for {server_name} in {path}")


def headers(block: Block) -> dict[str, str]:
    found = {}
    for directive in block.directives:
        match = re.fullmatch(r'add_header\s+(\S+)\s+"([^"]*)"(\s+always)?', directive)
        if match:
            assert match.group(3), f"{match.group(1)}: 'always', so errors carry it too"
            found[match.group(1).lower()] = match.group(2)
    return found


def csp(value: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (p.split() for p in value.split(";") if p.strip())}


def directive(block: Block, name: str) -> str:
    values = [d.split(None, 1)[1] for d in block.directives if d.split()[0] == name]
    assert len(values) == 1, (block.name, name, values)
    return values[0]


@pytest.fixture(scope="module")
def portal() -> Block:
    return tls_server(NGINX / "portal.conf", "www.example.org")


def test_portal_csp_forbids_inline_code_and_other_hosts_but_the_cms(portal):
    policy = headers(portal)["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "*" not in policy
    directives = csp(policy)
    assert directives["default-src"] == ["'none'"]
    # Pagefind (site search) compiles its WebAssembly index reader: that and nothing else.
    assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    # The objection form posts to the CMS, and its script asks the CMS.
    assert directives["form-action"] == ["'self'", CMS_ORIGIN]
    assert directives["connect-src"] == ["'self'", CMS_ORIGIN]
    for name, values in directives.items():
        for value in values:
            assert value.startswith("'") or value in ("data:", CMS_ORIGIN), (name, value)
    assert re.fullmatch(r'\$cms_origin "https://[^"/]+"', directive(portal, "set"))


def test_portal_sends_the_other_security_headers(portal):
    sent = headers(portal)
    hsts = sent["strict-transport-security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts
    assert "preload" in hsts
    assert sent["x-content-type-options"] == "nosniff"
    assert sent["referrer-policy"] in (
        "same-origin",
        "no-referrer",
        "strict-origin-when-cross-origin",
    )
    assert "camera=()" in sent["permissions-policy"]
    assert "geolocation=()" in sent["permissions-policy"]


def test_no_portal_location_drops_the_headers(portal):
    # An add_header inside a location replaces every add_header of the server.
    assert portal.descendants()
    for block in portal.descendants():
        assert not headers(block), block.name


def seconds(expires: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([smhdy]?)", expires).groups()
    return int(number) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "y": 31536000}[unit]


def test_portal_caching_is_short_for_pages_and_long_for_the_theme(portal):
    locations = {block.name: block for block in portal.children}
    assert seconds(directive(locations["location /"], "expires")) <= 600
    assert seconds(directive(locations["location /theme/"], "expires")) >= 86400


def test_http_is_redirected_to_https():
    for conf in ("portal.conf", "cms.conf"):
        plain = [s for s in parse(NGINX / conf).find("server") if "listen 80" in s.directives]
        assert plain
        for server in plain:
            (root_location,) = [b for b in server.children if b.name == "location /"]
            assert root_location.directives == ["return 301 https://$host$request_uri"]


def test_cms_proxies_to_gunicorn_and_adds_the_headers_django_does_not():
    server = tls_server(NGINX / "cms.conf", "cms.example.org")
    assert "proxy_set_header X-Forwarded-Proto $scheme" in server.directives
    assert "camera=()" in headers(server)["permissions-policy"]
    locations = {block.name: block for block in server.children}
    assert directive(locations["location /"], "proxy_pass") == "http://cms_app"
    for path in ("location /static/", "location /media/"):
        served = headers(locations[path])  # served by nginx itself: the full set
        assert "'unsafe-inline'" not in served["content-security-policy"]
        assert csp(served["content-security-policy"])["frame-ancestors"] == ["'none'"]
        assert served["x-content-type-options"] == "nosniff"
        assert "preload" in served["strict-transport-security"]
    assert "internal" in locations["location ^~ /media/documents/"].directives


INLINE = [
    # A data block (JSON, JSON-LD) is never run, so CSP does not apply to it.
    (
        re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", re.I
        ),
        "inline <script>",
    ),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_the_theme_has_nothing_inline_that_the_portal_csp_would_block():
    found = []
    for template in sorted((THEME / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert not found, "the portal's CSP forbids these:\n" + "\n".join(found)


def test_nginx_accepts_both_files(tmp_path):
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    openssl = shutil.which("openssl")
    if not (nginx and openssl):
        if os.environ.get("CI") == "true":
            pytest.fail("nginx and openssl must be installed in CI (.ci/run installs nginx)")
        pytest.skip("nginx is not installed: apt-get install nginx to check the samples")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=example.org",
         "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    for name in ("portal.conf", "cms.conf"):
        text = (NGINX / name).read_text(encoding="utf-8")
        text = re.sub(r"ssl_certificate_key \S+;", f"ssl_certificate_key {tmp_path}/key.pem;", text)
        text = re.sub(r"ssl_certificate \S+;", f"ssl_certificate {tmp_path}/cert.pem;", text)
        (tmp_path / name).write_text(text, encoding="utf-8")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n"
        f"    include /etc/nginx/mime.types;\n    access_log off;\n{temp_paths}\n"
        f"    include {tmp_path}/portal.conf;\n    include {tmp_path}/cms.conf;\n}}\n",
        encoding="utf-8",
    )
    completed = subprocess.run(
        [nginx, "-t", "-p", tmp_path, "-c", tmp_path / "nginx.conf", "-e", "stderr"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "test is successful" in completed.stderr
