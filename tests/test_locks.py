"""The lock files pin, with hashes, a version of everything pyproject.toml asks for.

`make lock` writes them; this fails when pyproject.toml changed and they were not refreshed."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(lock.read_text())}


def wanted(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = [*project["dependencies"]]
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    return [Requirement(text) for text in listed]


@pytest.mark.parametrize(("lock", "extras"), [("production.lock", ()), ("test.lock", ("test",))])
def test_the_lock_pins_every_requirement_within_its_range(lock, extras):
    pinned = pins(ROOT / "requirements" / lock)
    for requirement in wanted(extras):
        if requirement.marker and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in {lock}: run make lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {name}=={pinned[name]}, outside {requirement.specifier}: run make lock"
        )


@pytest.mark.parametrize("lock", ["production.lock", "test.lock"])
def test_every_pin_carries_its_hashes_and_no_machine_paths(lock):
    text = (ROOT / "requirements" / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    pinned = [entry for entry in entries if PIN.match(entry)]
    assert len(pinned) > 20
    assert all("--hash=sha256:" in entry for entry in pinned)
    assert "file://" not in text and "--find-links" not in text
