"""Labels of the manual's forms in the resident languages beyond Japanese and English.

The manual (``manuals/forms/<id>.yaml``) carries each label in Japanese and English; the other
languages live in ``translations/forms/<id>.yaml`` under the same ids. ``localize`` hands a page
the form with every title, label, help and choice in one language, falling back to English
where a translation is missing (``missing`` lists those; the tests keep the list empty).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from translations.languages import BY_CODE, CENTER_LANGUAGES

FORMS_DIR = Path(__file__).with_name("forms")
# The resident page's languages that the manual's own ja/en pairs do not already cover.
LANGUAGES: tuple[str, ...] = tuple(
    code for code in CENTER_LANGUAGES if code not in ("ja", "ja-x-easy", "en")
)


@lru_cache(maxsize=8)
def load(form_id: str) -> Mapping[str, Any]:
    """Return the translations of one form (an empty mapping when there is no file)."""
    path = FORMS_DIR / f"{form_id}.yaml"
    if not form_id.replace("_", "").isalnum() or not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or data.get("form") != form_id:
        raise ValueError(f"{path.name}: 'form' must be {form_id!r}")
    return data


def _pick(own: Mapping[str, str], extra: Any, lang: str) -> str:
    if lang in own:
        return own[lang]
    if isinstance(extra, Mapping) and isinstance(extra.get(lang), str):
        return str(extra[lang])
    return own["en"]


def _choice(choice: Mapping[str, Any], extra: Any, lang: str) -> dict[str, str]:
    known = BY_CODE.get(choice["id"])
    # A language is named in its own script, so a speaker finds it whatever the page language.
    label = known.native if known else _pick(choice["label"], extra, lang)
    return {"id": choice["id"], "label": label}


def _field(field: Mapping[str, Any], extra: Mapping[str, Any], lang: str) -> dict[str, Any]:
    out = dict(field)
    out["label"] = _pick(field["label"], extra.get("label"), lang)
    if "help" in field:
        out["help"] = _pick(field["help"], extra.get("help"), lang)
    choices = extra.get("choices") or {}
    out["choices"] = [_choice(c, choices.get(c["id"]), lang) for c in field.get("choices", [])]
    return out


def localize(form: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Return the form with its texts in ``lang`` (English where a translation is missing)."""
    extra = load(form["id"])
    fields = extra.get("fields") or {}
    sections = extra.get("sections") or {}
    return {
        "id": form["id"],
        "title": _pick(form["title"], extra.get("title"), lang),
        "description": _pick(form["description"], extra.get("description"), lang),
        "sections": [
            {
                "id": section["id"],
                "title": _pick(section["title"], sections.get(section["id"]), lang),
                "fields": [_field(f, fields.get(f["id"]) or {}, lang) for f in section["fields"]],
            }
            for section in form["sections"]
        ],
    }


def _texts(form: Mapping[str, Any]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every translatable text of a form: (description, path in the translations file)."""
    yield "title", ("title",)
    yield "description", ("description",)
    for section in form["sections"]:
        yield f"section {section['id']}", ("sections", section["id"])
        for field in section["fields"]:
            fid = field["id"]
            yield f"{fid}.label", ("fields", fid, "label")
            if "help" in field:
                yield f"{fid}.help", ("fields", fid, "help")
            for choice in field.get("choices", []):
                if choice["id"] not in BY_CODE:
                    yield f"{fid}.{choice['id']}", ("fields", fid, "choices", choice["id"])


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def missing(form: Mapping[str, Any]) -> list[str]:
    """Texts of the form lacking a resident language here, as "field.label: ne, th"."""
    extra = load(form["id"])
    out = []
    for name, path in _texts(form):
        found = _get(extra, path)
        lacking = [
            lang
            for lang in LANGUAGES
            if not (isinstance(found, Mapping) and str(found.get(lang) or "").strip())
        ]
        if lacking:
            out.append(f"{name}: {', '.join(lacking)}")
    return out


def stale(form: Mapping[str, Any]) -> list[str]:
    """Ids in the translations file that the form no longer has."""
    extra = load(form["id"])
    known = {path for _name, path in _texts(form)}
    out = [f"sections.{s}" for s in extra.get("sections") or {} if ("sections", s) not in known]
    for fid, entry in (extra.get("fields") or {}).items():
        for part in ("label", "help"):
            if part in entry and ("fields", fid, part) not in known:
                out.append(f"fields.{fid}.{part}")
        for cid in entry.get("choices") or {}:
            if ("fields", fid, "choices", cid) not in known:
                out.append(f"fields.{fid}.choices.{cid}")
    return out
