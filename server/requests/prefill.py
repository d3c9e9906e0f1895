"""What a translator sees beside a request: machine pre-fill, memory hits, glossary terms.

The pre-fill goes the way every text goes: phrasebook and memory at once, else a machine job
(``JobKind.REQUEST``) that the pair's drain translates with everything else and hands to the
finisher below. A pair with no model gets its reason ("no engine: …"), never an invented text.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.extensions import db
from server.models import MachineJob
from server.requests.live import notify
from server.requests.models import RequestPiece, TranslationRequest
from server.translation import engine, machine_jobs, memory
from server.words import JobKind
from translations import glossary, pipeline

MAX_TERMS = 40
NONE = "none"  # machine_method when no machine text could be made


def _settle(piece: RequestPiece, result: pipeline.Result) -> None:
    if result.status == "done" and result.text:
        piece.machine_text, piece.machine_method = result.text, result.method
        piece.machine_note = result.reason
    else:
        piece.machine_text, piece.machine_method = None, NONE
        piece.machine_note = (result.reason or "no machine translation")[:200]


def start(req: TranslationRequest, piece: RequestPiece) -> tuple[str, str] | None:
    """Pre-fill a piece now, or record its machine job; return the pair to wake, if any."""
    source = pipeline.Source(text=req.source_text, lang=req.source_lang)
    result = pipeline.plan(source, piece.lang, engine.translator(), memory.lookup)
    if result is not None:
        _settle(piece, result)
        return None
    machine_jobs.enqueue(
        JobKind.REQUEST, req.source_lang, piece.lang, req.source_text, ref_id=piece.id
    )
    return req.source_lang, piece.lang


@machine_jobs.finisher(JobKind.REQUEST)
def _finish(done: list[tuple[MachineJob, pipeline.Result]]) -> machine_jobs.Finished:
    filled = []
    for job, result in done:
        piece = db.session.get(RequestPiece, job.ref_id)
        if piece is not None:
            _settle(piece, result)
            filled.append(piece)

    def tell() -> None:
        for piece in filled:
            notify("request.prefilled", piece)

    return len(filled), tell


@dataclass(frozen=True)
class MemoryHit:
    source: str
    target: str


def memory_hits(req: TranslationRequest, lang: str) -> list[MemoryHit]:
    """Remembered translations of the whole text and of each of its lines."""
    hits = []
    seen = set()
    for line in [req.source_text, *req.source_text.split("\n")]:
        key = memory.source_key(line)
        if not line.strip() or key in seen:
            continue
        seen.add(key)
        found = memory.lookup(req.source_lang, lang, line)
        if found is not None:
            hits.append(MemoryHit(line.strip(), found))
    return hits


def glossary_terms(req: TranslationRequest, lang: str) -> list[tuple[str, str]]:
    """Glossary terms that occur in the text, with their target-language term."""
    try:
        pairs = glossary.terms_for_pair(req.source_lang, lang)
    except (KeyError, ValueError):  # a language the glossary does not carry
        return []
    found: list[tuple[str, str]] = []
    text = req.source_text
    for source_term, target_term in pairs:  # longest first: 避難所 before 避難
        if source_term in text and all(source_term not in s for s, _ in found):
            found.append((source_term, target_term))
        if len(found) >= MAX_TERMS:
            break
    return found
