"""Fixtures for the translation tests: no network, tiny Argos packages, the real model."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from translations.mt import ArgosEngine, EngineSettings, InstalledPackage, install
from translations.mt.tiny import build_tiny_package

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def _is_loopback(address: Any) -> bool:
    """Tell whether a socket address stays on this machine."""
    if isinstance(address, (str, bytes)):
        return True  # a Unix socket path
    host = str(address[0]) if isinstance(address, tuple) and address else ""
    return host in _LOOPBACK or host.startswith("127.")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that would leave the machine, so reaching out fails the test."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refuse(address: Any) -> None:
        if not _is_loopback(address):
            raise OSError(f"network disabled in translation tests: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        refuse(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        refuse(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # Name lookups leave the machine too (and may hang where DNS is unreachable).
        refuse((host.decode() if isinstance(host, bytes) else host or "", 0))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    """Return an empty packages folder."""
    return tmp_path / "packages"


TinyBuilder = Callable[..., Path]


@pytest.fixture
def tiny(tmp_path: Path) -> TinyBuilder:
    """Return a builder of tiny glossing .argosmodel files in a scratch folder."""

    def build(from_code: str, to_code: str, glossary: dict[str, str], **kw: Any) -> Path:
        return build_tiny_package(tmp_path / "downloads", from_code, to_code, glossary, **kw)

    return build


def _engine(packages_dir: Path, **kw: Any) -> ArgosEngine:
    """Return an engine sized for a shared 2-core test machine."""
    return ArgosEngine(EngineSettings(packages_dir, intra_threads=1, **kw))


@pytest.fixture
def make_engine() -> Callable[..., ArgosEngine]:
    """Return a factory of engines sized for the test machine."""
    return _engine


@pytest.fixture(scope="session")
def real_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstalledPackage]:
    """Install the real zh→en package named by TAGENGO_TEST_ARGOS_MODEL, or skip."""
    archive = os.environ.get("TAGENGO_TEST_ARGOS_MODEL")
    if not archive:
        pytest.skip("TAGENGO_TEST_ARGOS_MODEL is not set (path to translate-zh_en-1_9.argosmodel)")
    if not Path(archive).is_file():
        pytest.skip(f"TAGENGO_TEST_ARGOS_MODEL points at a missing file: {archive}")
    yield install(Path(archive), tmp_path_factory.mktemp("real") / "packages")


@pytest.fixture(scope="session")
def real_engine(real_package: InstalledPackage) -> ArgosEngine:
    """Return one engine over the real package, shared so the model loads once."""
    return _engine(real_package.path.parent)
