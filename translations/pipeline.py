"""How one text reaches one language: ``plan`` decides, before any model runs.

Order of preference: operator-written text (やさしい日本語) → phrasebook (the chosen template,
or a slot-free sentence that matches one) → translation memory → machine translation when a
model path exists. ``plan`` returns the finished result, or None when the text must go to a
model — the server then records a machine job, which is drained in batches per language pair.
A language with no path comes back ``unavailable`` with the reason; nothing here ever invents
a text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from translations import languages, phrasebook
from translations.places import Place

ResultStatus = Literal["done", "unavailable"]
MethodName = Literal["phrasebook", "memory", "machine", "human"]


@dataclass(frozen=True)
class Result:
    """How one language of a text came out."""

    lang: str
    status: ResultStatus
    text: str | None = None
    method: MethodName | None = None
    reviewed: bool = False
    reason: str | None = None
    engine: str | None = None
    model: str | None = None
    elapsed_ms: int = 0
    # The quality gate (machine texts only): check this text first, and why (codes of
    # translations.quality.REASONS). A list after a JSON round trip through server/jobs.py.
    check_first: bool = False
    check_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """What the operator wrote for one revision."""

    text: str
    lang: str
    easy_text: str | None = None
    template_id: str | None = None
    slots: Mapping[str, str] | None = None
    # Known shelters by Japanese name, so a {place} slot names them as staff wrote them.
    places: Mapping[str, Place] | None = None


class MachineTranslator(Protocol):
    """A machine translation backend (Argos) seen from the pipeline."""

    def can_translate(self, source: str, target: str) -> bool: ...

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[Result]: ...


MemoryLookup = Callable[[str, str, str], "str | None"]


def _phrasebook(source: Source, target: str) -> Result | None:
    template = None
    values: Mapping[str, str] = {}
    if source.template_id:
        template = phrasebook.load().get(source.template_id)
        values = source.slots or {}
    else:
        template = phrasebook.match_sentence(source.text, source.lang)
    if template is None or target not in template.text:
        return None
    return Result(
        lang=target,
        status="done",
        text=template.render(target, values, source.places),
        method="phrasebook",
        reviewed=template.reviewed(target),
        engine="phrasebook",
        model=template.id,
    )


def plan(
    source: Source,
    target: str,
    machine: MachineTranslator | None = None,
    memory: MemoryLookup | None = None,
) -> Result | None:
    """Return the finished result when no model is needed, or None for a machine job."""
    if target == "ja-x-easy" and source.easy_text:
        return Result(target, "done", source.easy_text, "human", True, engine="operator")
    found = _phrasebook(source, target)
    if found is not None:
        return found
    remembered = memory(source.lang, target, source.text) if memory else None
    if remembered is not None:
        return Result(target, "done", remembered, "memory", True, engine="memory")
    return _no_machine(source, target, machine)


def translate(
    source: Source,
    target: str,
    machine: MachineTranslator | None = None,
    memory: MemoryLookup | None = None,
) -> Result:
    """Translate one revision into one language by the best path that exists."""
    started = time.perf_counter()
    result = plan(source, target, machine, memory)
    if result is None:
        assert machine is not None  # plan() returns None only when a machine route exists
        result = machine.translate([source.text], argos_code(source.lang), argos_code(target))[0]
    elapsed = int((time.perf_counter() - started) * 1000)
    return replace(result, elapsed_ms=result.elapsed_ms or elapsed)


def argos_code(code: str) -> str:
    """Return the Argos code of a registry language (raises KeyError when it has none)."""
    lang = languages.get(code)
    if lang is None or lang.argos is None:
        raise KeyError(code)
    return lang.argos


def _no_machine(source: Source, target: str, machine: MachineTranslator | None) -> Result | None:
    if target == "ja-x-easy":
        return Result(
            target, "unavailable", reason="no engine: やさしい日本語 must be written by a person"
        )
    src = languages.get(source.lang)
    tgt = languages.get(target)
    if src is None or tgt is None or src.argos is None or tgt.argos is None:
        return Result(target, "unavailable", reason=f"no engine: {source.lang}→{target}")
    if machine is None or not machine.can_translate(src.argos, tgt.argos):
        return Result(
            target,
            "unavailable",
            reason=f"no engine: no model installed for {source.lang}→{target}",
        )
    return None
