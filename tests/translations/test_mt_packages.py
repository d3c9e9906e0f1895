"""Installing, listing, removing and downloading Argos packages in a folder we own."""

from __future__ import annotations

import json
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from translations.mt import ModelError, download, install, list_installed, remove
from translations.mt.packages import find

Tiny = Callable[..., Path]
GLOSSARY = {"agua": "water"}


def test_install_list_remove(tiny: Tiny, packages_dir: Path) -> None:
    package = install(tiny("es", "en", GLOSSARY), packages_dir)
    assert (package.from_code, package.to_code, package.package_version) == ("es", "en", "1.0")
    assert package.argos_version == "1.9.0"
    assert package.label == "es→en 1.0"
    assert package.size_bytes > 0
    assert (package.path / "model" / "model.bin").is_file()
    assert package.path.parent == packages_dir
    assert list_installed(packages_dir) == [package]
    assert remove(packages_dir, "es", "en") == package
    assert list_installed(packages_dir) == []
    assert not package.path.exists()


def test_list_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_installed(tmp_path / "nowhere") == []


def test_list_skips_broken_folders(tiny: Tiny, packages_dir: Path) -> None:
    install(tiny("es", "en", GLOSSARY), packages_dir)
    (packages_dir / "half-copied").mkdir()
    (packages_dir / "bad-json").mkdir()
    (packages_dir / "bad-json" / "metadata.json").write_text("{", encoding="utf-8")
    assert [p.label for p in list_installed(packages_dir)] == ["es→en 1.0"]


def test_duplicate_is_refused_but_newer_replaces(tiny: Tiny, packages_dir: Path) -> None:
    first = install(tiny("es", "en", GLOSSARY), packages_dir)
    with pytest.raises(ModelError, match=r"es→en 1\.0 is already installed"):
        install(tiny("es", "en", GLOSSARY), packages_dir)
    newer = install(tiny("es", "en", GLOSSARY, package_version="1.10"), packages_dir)
    assert newer.package_version == "1.10"
    assert list_installed(packages_dir) == [newer]
    assert not first.path.exists()
    with pytest.raises(ModelError, match="already installed"):
        install(tiny("es", "en", GLOSSARY, package_version="1.9"), packages_dir)


def test_remove_of_a_missing_pair(packages_dir: Path) -> None:
    with pytest.raises(ModelError, match="no package for ja→en is installed"):
        remove(packages_dir, "ja", "en")


def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _rezip(source: Path, target: Path, change: Callable[[str, bytes], tuple[str, bytes]]) -> Path:
    """Copy an archive member by member through ``change``."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            name, data = change(info.filename, src.read(info))
            if name:
                out.writestr(name, data)
    return target


def test_not_a_zip(tmp_path: Path, packages_dir: Path) -> None:
    bogus = tmp_path / "bogus.argosmodel"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ModelError, match="not a zip archive"):
        install(bogus, packages_dir)
    with pytest.raises(ModelError, match="no such file"):
        install(tmp_path / "missing.argosmodel", packages_dir)


def test_missing_metadata(tmp_path: Path, packages_dir: Path) -> None:
    archive = _zip(tmp_path / "x.argosmodel", {"pkg/model/model.bin": b"0"})
    with pytest.raises(ModelError, match=r"no metadata\.json"):
        install(archive, packages_dir)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"from_code": "es", "to_code": "en"}', "lacks package_version"),
        ('{"from_code": "../x", "to_code": "en", "package_version": "1"}', "not a language code"),
        ('{"from_code": "es", "to_code": "en", "package_version": "v1"}', "dotted number"),
        ('{"type": "sbd", "from_code": "es", "to_code": "en"}', "not a translation package"),
    ],
)
def test_bad_metadata(tmp_path: Path, packages_dir: Path, metadata: str, message: str) -> None:
    archive = _zip(tmp_path / "x.argosmodel", {"pkg/metadata.json": metadata})
    with pytest.raises(ModelError, match=message):
        install(archive, packages_dir)
    assert list_installed(packages_dir) == []


@pytest.mark.parametrize("evil", ["../escape.txt", "/etc/evil", "pkg/../../escape.txt", "C:/x"])
def test_path_traversal_is_refused(tmp_path: Path, tiny: Tiny, evil: str) -> None:
    good = tiny("es", "en", GLOSSARY)
    archive = _rezip(good, tmp_path / "evil.argosmodel", lambda n, d: (n, d))
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(evil, "gotcha")
    packages_dir = tmp_path / "deep" / "packages"
    with pytest.raises(ModelError, match="unsafe path"):
        install(archive, packages_dir)
    assert not (tmp_path / "deep" / "escape.txt").exists()
    assert not (tmp_path / "escape.txt").exists()
    assert list_installed(packages_dir) == []


def test_symlink_member_is_refused(tmp_path: Path, tiny: Tiny, packages_dir: Path) -> None:
    archive = _rezip(tiny("es", "en", GLOSSARY), tmp_path / "link.argosmodel", lambda n, d: (n, d))
    link = zipfile.ZipInfo("translate-es_en-1_0/evil")
    link.external_attr = (0o120777 << 16) | 0
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(ModelError, match="symbolic link"):
        install(archive, packages_dir)


def test_package_without_model_or_tokenizer(tmp_path: Path, tiny: Tiny, packages_dir: Path) -> None:
    good = tiny("es", "en", GLOSSARY)
    no_model = _rezip(
        good, tmp_path / "a.argosmodel", lambda n, d: ("" if "model.bin" in n else n, d)
    )
    with pytest.raises(ModelError, match="no CTranslate2 model"):
        install(no_model, packages_dir)
    bpe = _rezip(
        good,
        tmp_path / "b.argosmodel",
        lambda n, d: (n.replace("sentencepiece.model", "bpe.model"), d),
    )
    with pytest.raises(ModelError, match="only SentencePiece packages"):
        install(bpe, packages_dir)


def test_damaged_archive(tmp_path: Path, tiny: Tiny, packages_dir: Path) -> None:
    data = bytearray(tiny("es", "en", GLOSSARY).read_bytes())
    with zipfile.ZipFile(tiny("es", "en", GLOSSARY)) as zf:
        info = zf.getinfo("translate-es_en-1_0/model/model.bin")
    # Flip bytes inside the compressed model so its CRC check fails on extraction.
    start = info.header_offset + 30 + len(info.filename) + 100
    data[start : start + 50] = bytes(50)
    damaged = tmp_path / "damaged.argosmodel"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged archive"):
        install(damaged, packages_dir)
    assert list_installed(packages_dir) == []
    assert [p.name for p in packages_dir.iterdir()] == []


def test_download_offline_fails_clearly(packages_dir: Path) -> None:
    with pytest.raises(ModelError) as caught:
        download([("ja", "en")], packages_dir)
    message = str(caught.value)
    assert "cannot reach the Argos package index" in message
    assert "offline?" in message
    assert "tagengo models install" in message
    assert "network disabled" in message  # refused by the fixture, not by a real network
    # An address literal skips the name lookup and meets the refused connect instead.
    with pytest.raises(ModelError, match="cannot reach the Argos package index"):
        download([("ja", "en")], packages_dir, "http://192.0.2.1/index.json", timeout=2)
    assert list_installed(packages_dir) == []


def test_network_is_really_refused() -> None:
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_download_from_a_local_index(tmp_path: Path, tiny: Tiny, packages_dir: Path) -> None:
    archive = tiny("es", "en", GLOSSARY, package_version="1.2")
    index = [
        {"type": "sbd", "from_code": "es", "package_version": "1.0", "links": ["x"]},
        {"from_code": "es", "to_code": "en", "package_version": "1.1", "links": ["file:///no"]},
        {
            "from_code": "es",
            "to_code": "en",
            "package_version": "1.2",
            "links": [archive.as_uri()],
        },
    ]
    index_file = tmp_path / "index.json"
    index_file.write_text(json.dumps(index), encoding="utf-8")
    [package] = download([("es", "en")], packages_dir, index_file.as_uri())
    assert package.label == "es→en 1.2"
    assert find(packages_dir, "es", "en") == package
    # Already up to date: nothing is fetched again.
    archive.unlink()
    assert download([("es", "en")], packages_dir, index_file.as_uri()) == [package]
    with pytest.raises(ModelError, match="has no ja→en package"):
        download([("ja", "en")], packages_dir, index_file.as_uri())
    assert [p.name for p in packages_dir.iterdir()] == [package.path.name]
