"""Project-level checks: the compose file's schema, the README's configuration table, catalogs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from server.core import config

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_matches_the_compose_specification() -> None:
    """No Docker engine runs here, so validate against the Compose Specification's schema."""
    schema = json.loads((ROOT / "tests/data/compose-spec.json").read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    jsonschema.Draft201909Validator(schema).validate(compose)
    services = compose["services"]
    assert {"redis", "postgres", "web", "worker", "beat"} <= set(services)
    assert "--appendonly" in services["redis"]["command"]
    assert "/health" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["TAGENGO_REDIS_URL"] == "redis://redis:6379/0"


def test_readme_lists_every_setting_exactly() -> None:
    readme = (ROOT / "README.md").read_text()
    assert config.markdown_table() in readme, "run `tagengo config --markdown` into the README"
    documented = set(re.findall(r"`TAGENGO_([A-Z_]+)`", readme))
    assert {o.name for o in config.OPTIONS} <= documented


def test_japanese_console_catalog_is_complete_and_compiled() -> None:
    po_path = ROOT / "translations/i18n/ja/LC_MESSAGES/messages.po"
    with po_path.open("rb") as fh:
        po = read_po(fh)
    with po_path.with_suffix(".mo").open("rb") as fh:
        mo = read_mo(fh)
    used: set[tuple[str, str | None]] = set()
    for folder, method in (("server", "python"), ("web/templates", "jinja2")):
        for _file, _line, message, _comments, ctx in extract_from_dir(
            ROOT / folder,
            [("**.py", "python")] if method == "python" else [("**.html", "jinja2")],
            keywords={
                "_": None,
                "gettext": None,
                "lazy_gettext": None,
                "lazy_pgettext": ((1, "c"), 2),
                "pgettext": ((1, "c"), 2),
            },
        ):
            used.add((message, ctx))
    missing = sorted(
        (m, c) for m, c in used if not (po.get(m, context=c) and po.get(m, context=c).string)
    )
    assert not missing, f"untranslated console strings: {missing}"
    for message in po:
        if message.id:
            compiled = mo.get(message.id, context=message.context)
            assert compiled is not None and compiled.string == message.string, (
                "messages.mo is stale: run `pybabel compile -d translations/i18n`"
            )


RESIDENT_LOCALES = ("zh_Hans", "zh_Hant", "ko", "pt_BR", "es", "vi", "fil", "ne", "id", "th", "my")


def test_resident_pages_are_translated_into_every_center_language() -> None:
    resident = set()
    for folder, pattern, method in (
        ("server/web", "resident*.py", "python"),
        ("web/templates/resident", "**.html", "jinja2"),
    ):
        for _f, _l, message, _c, _x in extract_from_dir(
            ROOT / folder,
            [(pattern, method)],
            keywords={"_": None, "gettext": None, "lazy_gettext": None},
        ):
            resident.add(message)
    assert len(resident) >= 40
    for locale in ("ja", *RESIDENT_LOCALES):
        base = ROOT / "translations/i18n" / locale / "LC_MESSAGES"
        with (base / "messages.po").open("rb") as fh:
            po = read_po(fh)
        with (base / "messages.mo").open("rb") as fh:
            mo = read_mo(fh)
        missing = sorted(m for m in resident if not (po.get(m) and po.get(m).string))
        assert not missing, f"{locale}: untranslated resident strings: {missing}"
        for m in resident:
            assert mo.get(m) is not None and mo.get(m).string == po.get(m).string, (locale, m)


def test_readme_floor_plan_names_every_server_package() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `server/([a-z_]+)/`", readme, flags=re.M)
    packages = sorted(
        p.name
        for p in (ROOT / "server").iterdir()
        if (p / "__init__.py").exists() or p.name == "migrations"
    )
    assert sorted(rows) == packages, "update the floor plan table in README 'How it works'"


def _messages(folder: str, pattern: str, method: str) -> dict[tuple[str, str | None], str]:
    keywords = {
        "_": None,
        "gettext": None,
        "lazy_gettext": None,
        "pgettext": ((1, "c"), 2),
        "lazy_pgettext": ((1, "c"), 2),
    }
    return {
        (message, ctx): f"{folder}/{name}"
        for name, _l, message, _c, ctx in extract_from_dir(
            ROOT / folder, [(pattern, method)], keywords=keywords
        )
    }


def test_staff_pages_never_share_a_message_with_the_resident_pages() -> None:
    """The Japanese resident page speaks やさしい日本語: one msgid shared with the console would
    put 「こたえが あります」 on a staff page. Staff words that resident pages also use carry
    the context "console" (pgettext)."""
    resident = _messages("server/web", "resident.py", "python")
    resident |= _messages("web/templates/resident", "**.html", "jinja2")
    staff = _messages("web/templates/console", "**.html", "jinja2")
    staff |= {
        key: where
        for key, where in _messages("server", "**.py", "python").items()
        if not where.endswith("resident.py")
    }
    staff = {k: v for k, v in staff.items() if "resident" not in v}
    shared = sorted(set(resident) & set(staff), key=str)
    assert not shared, f"give these console messages the context 'console': {shared}"
