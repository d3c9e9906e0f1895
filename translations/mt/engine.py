"""The offline Argos engine: batched CTranslate2 translation over installed packages.

argostranslate's own ``translate`` reads global settings fixed at import time and downloads a
sentence splitter on first use, so this engine reads package folders itself and keeps
argostranslate's decoding: the same ``translate_batch`` options, target prefix and
SentencePiece detokenisation. It differs on purpose in two ways: all sentences of all texts
go through one package in one go, which is what makes a worker fast; and every sentence is
always padded to the same length, whatever shares its batch. Padding changes the shapes of
CTranslate2's matrix products, hence their rounding, hence beam search's choices: on the real
zh→en model, 7 of 59 dev-set sentences came out differently in one batch of all than alone.
So sentences go in calls by length bucket (token count rounded up to a multiple of
``length_bucket``), each call padded to exactly the bucket's length by a filler sentence whose
output is dropped: a sentence's output then does not depend on what else is batched.
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm

from translations.mt.errors import ModelError, NoRouteError
from translations.mt.multilingual import adds_source_eos
from translations.mt.packages import InstalledPackage, list_installed
from translations.mt.sentences import join_sentences, split_sentences

PIVOT = "en"
LENGTH_PENALTY = 0.2  # argostranslate's
# Resident memory of a loaded model over its files' size: CTranslate2 keeps the weights in
# memory as stored (the compute type "default"), shared by every inter_threads replica, plus
# its vocabularies and SentencePiece's tables. Measured on the real zh→en package: 81 MiB of
# files, 89–95 MiB more RSS per load, the same with inter_threads 1 or 2.
LOAD_OVERHEAD = 1.15
MIB = 1024 * 1024

log = logging.getLogger(__name__)


def cores() -> int:
    """Return the CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
_arenas_lock = threading.Lock()
_arenas_limited: int | None = None


def limit_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas for this process before models start their threads.

    Every CTranslate2 replica is a thread, and glibc gives threads arenas of their own (up to
    8 per core) that keep what a batch freed: a worker with 12 models × 2 replicas peaked at
    2.4 GiB in the surge benchmark against 1.6 GiB with 4 arenas, at the same speed within
    the noise (docs/benchmarks.md, *Surge*). 0 leaves glibc's default. Returns whether the
    limit is in force (False where the C library is not glibc).
    """
    global _arenas_limited
    if arenas <= 0:
        return False
    with _arenas_lock:
        if _arenas_limited == arenas:
            return True
        try:
            libc = ctypes.CDLL(None)
            mallopt = libc.mallopt
            ok = bool(libc.gnu_get_libc_version) and mallopt(M_ARENA_MAX, arenas) == 1
        except (AttributeError, OSError):  # not glibc: nothing to set
            return False
        if ok:
            _arenas_limited = arenas
            log.info("malloc arenas limited to %s for the model threads", arenas)
        return ok


@dataclass(frozen=True)
class EngineSettings:
    """How the engine runs; ``intra_threads=0`` means cores // inter_threads."""

    packages_dir: Path
    device: str = "cpu"
    inter_threads: int = 1
    intra_threads: int = 0
    beam_size: int = 4
    max_batch_size: int = 32
    max_loaded_models: int = 4
    # Most bytes the loaded models may take together (footprint()); 0 means count only.
    memory_budget_bytes: int = 0
    compute_type: str = "default"
    # Which kind of package translates a pair that several kinds serve, best first: "ct2"
    # (a pair's model folder the center installed, translations.mt.folders), "nllb" and
    # "m2m100" (a many-to-many model folder), or "argos".
    prefer: tuple[str, ...] = ("ct2", "nllb", "m2m100", "argos")
    # Calls by length bucket, each padded to the bucket's length (see stable_calls), so a
    # sentence's output never depends on its batch; False pads as CTranslate2 likes, for speed.
    stable_batches: bool = True
    # Token counts that share a bucket: 8 puts 9–16 together (padded to 16); 1 is exact counts.
    length_bucket: int = 8
    # Calls of every model run in one pool of this many threads, the models loaded with as
    # many replicas (inter_threads): a drain alone uses every core, two drains share them.
    # 0: each call goes to its model's own replicas at once (no pool).
    pool_threads: int = 0

    def __post_init__(self) -> None:
        names = ("inter_threads", "beam_size", "max_batch_size", "max_loaded_models")
        for name in (*names, "length_bucket"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.intra_threads < 0:
            raise ValueError("intra_threads must be 0 (automatic) or more")
        if self.memory_budget_bytes < 0:
            raise ValueError("memory_budget_bytes must be 0 (no budget) or more")
        if self.pool_threads < 0:
            raise ValueError("pool_threads must be 0 (no pool) or more")
        if self.pool_threads and self.inter_threads < self.pool_threads:
            # A pool thread whose call waits for a busy replica would hold a core idle.
            object.__setattr__(self, "inter_threads", self.pool_threads)
        if self.intra_threads == 0:
            # CTranslate2's own 0 means "every core per translator", which oversubscribes
            # the machine as soon as inter_threads > 1. With a pool, only its threads call
            # at once, however many replicas there are.
            busy = self.pool_threads or self.inter_threads
            object.__setattr__(self, "intra_threads", max(1, cores() // busy))


@dataclass(frozen=True)
class Confidence:
    """What the model said about its own output, for the quality gate (one text)."""

    log_prob: float  # the lowest mean log-probability per output token of any sentence
    source_tokens: int  # SentencePiece pieces in, over every sentence and hop's first input
    output_tokens: int  # pieces out of the last hop


@dataclass(frozen=True)
class MTResult:
    """One machine translation and how it was made."""

    text: str
    model: str
    pivot: bool
    elapsed_ms: float
    engine: str = "argos"
    confidence: Confidence | None = None  # None for the identity route


@dataclass(frozen=True)
class _Sentence:
    """One translated sentence and its model statistics."""

    text: str
    log_prob: float
    source_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class _Loaded:
    """A package ready to translate."""

    package: InstalledPackage
    translator: ctranslate2.Translator
    tokenizer: spm.SentencePieceProcessor
    target_prefix: str
    detokenizer: spm.SentencePieceProcessor  # the tokenizer unless the target has its own
    adds_eos: bool  # CTranslate2 appends </s> to the source itself (the model's config)


_Key = tuple[Path, str, int]  # InstalledPackage.model_key


class ArgosEngine:
    """Translate with the Argos packages in one folder, loading each model once.

    Loaded models are kept least recently used first, within ``max_loaded_models`` and
    ``memory_budget_bytes`` (each model counted at its ``footprint``). A model that a running
    call holds is never evicted: a load that needs its room waits until the call ends. The
    pairs of one many-to-many model (NLLB, M2M-100) share its one loaded copy.
    """

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._lock = threading.Condition()
        # Keyed by the model's folder, version and size: a rebuilt package reloads.
        self._loading: dict[_Key, int] = {}  # being loaded → its footprint
        self._models: OrderedDict[_Key, _Loaded] = OrderedDict()
        self._sizes: dict[_Key, int] = {}  # loaded → its footprint
        self._users: dict[_Key, int] = {}  # loaded → running calls holding it
        self._dropped: set[_Key] = set()  # unloaded while held: go on release
        self._footprints: dict[InstalledPackage, int] = {}
        self._seen: tuple[object, list[InstalledPackage]] | None = None
        self.loads = 0  # models loaded since start, for benchmarks and health
        self._pool = (
            ThreadPoolExecutor(settings.pool_threads, thread_name_prefix="mt-call")
            if settings.pool_threads
            else None
        )

    def installed(self) -> list[InstalledPackage]:
        """Return the installed packages, rescanning only when the folder changed."""
        folder = self.settings.packages_dir
        try:
            stamp = _stamp(folder)
        except FileNotFoundError:
            return []
        with self._lock:
            if self._seen and self._seen[0] == stamp:
                return list(self._seen[1])
        packages = list_installed(folder)
        with self._lock:
            self._seen = (stamp, packages)
        return list(packages)

    def pairs(self) -> list[tuple[str, str]]:
        """Return the (from, to) pairs that installed packages translate directly."""
        return sorted({(p.from_code, p.to_code) for p in self.installed()})

    def route(self, src: str, tgt: str) -> list[InstalledPackage] | None:
        """Return the packages to chain: direct, through English, [] if same, else None."""
        if src == tgt:
            return []
        # installed() is sorted by version, so the newest of each pair and kind comes last;
        # among kinds, the first in settings.prefer wins (unknown kinds after them).
        prefer = self.settings.prefer
        ranked = sorted(
            self.installed(),
            key=lambda p: -(prefer.index(p.kind) if p.kind in prefer else len(prefer)),
        )
        newest = {(p.from_code, p.to_code): p for p in ranked}
        if (src, tgt) in newest:
            return [newest[(src, tgt)]]
        if (src, PIVOT) in newest and (PIVOT, tgt) in newest:
            return [newest[(src, PIVOT)], newest[(PIVOT, tgt)]]
        return None

    def can_translate(self, src: str, tgt: str) -> bool:
        """Tell whether some route translates src into tgt."""
        return self.route(src, tgt) is not None

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[MTResult]:
        """Translate texts from src to tgt (Argos codes), all sentences in one batch per hop."""
        started = time.perf_counter()
        route = self.route(src, tgt)
        if route is None:
            raise NoRouteError(f"no Argos package for {src}→{tgt}, nor {src}→en with en→{tgt}")
        segmented = [split_sentences(text, src) for text in texts]
        sentences = [s for seg in segmented for s in seg.sentences]
        hops: list[list[_Sentence]] = []
        for package in route:
            if sentences:
                with self._use(package) as model:
                    hops.append(self._translate_sentences(model, package, sentences))
                sentences = [s.text for s in hops[-1]]
        label = " + ".join(p.label for p in route) or "identity"
        elapsed = (time.perf_counter() - started) * 1000
        results = []
        position = 0
        for original, seg in zip(texts, segmented, strict=True):
            count = len(seg.sentences)
            if not route:
                results.append(MTResult(original, label, False, elapsed))
                continue
            own = sentences[position : position + count]
            confidence = None
            if count:
                first = hops[0][position : position + count]
                last = hops[-1][position : position + count]
                confidence = Confidence(
                    log_prob=min(
                        s.log_prob for hop in hops for s in hop[position : position + count]
                    ),
                    source_tokens=sum(s.source_tokens for s in first),
                    output_tokens=sum(s.output_tokens for s in last),
                )
            text = join_sentences(seg, own, tgt)
            results.append(MTResult(text, label, len(route) > 1, elapsed, confidence=confidence))
            position += count
        return results

    def loaded(self) -> list[str]:
        """Return the labels of the loaded models, least recently used first."""
        with self._lock:
            return [m.package.model_label for m in self._models.values()]

    def loaded_bytes(self) -> int:
        """Return the footprint of the loaded models and of those being loaded."""
        with self._lock:
            return sum(self._sizes.values()) + sum(self._loading.values())

    def unload(self) -> None:
        """Drop every loaded model; one a running call holds goes when the call ends."""
        with self._lock:
            for key in list(self._models):
                if self._users.get(key):
                    self._dropped.add(key)
                else:
                    self._forget(key)
            self._lock.notify_all()

    def footprint(self, package: InstalledPackage) -> int:
        """Estimate the resident bytes of a package once loaded, from its files' sizes.

        The model folder (weights and vocabularies) and the SentencePiece models, times
        LOAD_OVERHEAD; a test checks the estimate against the RSS a real load adds.
        """
        known = self._footprints.get(package)
        if known is None:
            try:
                files = [f for f in (package.path / "model").rglob("*") if f.is_file()]
                files += list(package.path.glob("*.model")) + list(package.path.glob("*.spm"))
                known = math.ceil(sum(f.stat().st_size for f in files) * LOAD_OVERHEAD)
            except OSError as exc:  # removed or rebuilt meanwhile
                raise ModelError(f"cannot read {package.label} at {package.path}: {exc}") from exc
            self._footprints[package] = known
        return known

    @contextmanager
    def _use(self, package: InstalledPackage) -> Iterator[_Loaded]:
        """Hold a package's loaded model for one call; it cannot be evicted meanwhile."""
        model = self._model(package)
        key = package.model_key
        try:
            yield model
        finally:
            with self._lock:
                self._users[key] -= 1
                if not self._users[key]:
                    del self._users[key]
                    if key in self._dropped:
                        self._forget(key)
                self._lock.notify_all()

    def _model(self, package: InstalledPackage) -> _Loaded:
        """Return the loaded model of a package, held (see _use); load it once under threads."""
        key = package.model_key
        size = self.footprint(package)
        budget = self.settings.memory_budget_bytes
        if budget and size > budget:
            raise ModelError(
                f"{package.label} needs about {size / MIB:.0f} MiB loaded, more than the whole "
                f"memory budget of {budget / MIB:.0f} MiB (TAGENGO_MT_MEMORY_BUDGET_MB)"
            )
        with self._lock:
            waited = False
            while True:
                if key in self._models and key not in self._dropped:
                    self._models.move_to_end(key)
                    self._users[key] = self._users.get(key, 0) + 1
                    return self._models[key]
                # A model unloaded while held stays until released: wait, never load a twin.
                busy = key in self._loading or key in self._models
                if not busy and self._make_room(size):
                    self._loading[key] = size
                    break
                if not waited and not busy:
                    log.info(
                        "waiting for room to load %s: every loaded model is in use",
                        package.model_label,
                    )
                waited = True
                self._lock.wait()  # another thread loads it, or a call ends and frees room
        # Loading takes seconds: hold no lock, so other pairs keep going.
        started = time.perf_counter()
        try:
            model = self._load(package)
        except BaseException:
            with self._lock:
                del self._loading[key]
                self._lock.notify_all()
            raise
        with self._lock:
            del self._loading[key]
            self._models[key] = model
            self._sizes[key] = size
            self._users[key] = 1
            self.loads += 1
            used = sum(self._sizes.values()) + sum(self._loading.values())
            self._lock.notify_all()
        log.info(
            "loaded model %s (~%.0f MiB) in %.1f s; %d loaded, ~%.0f MiB",
            package.model_label,
            size / MIB,
            time.perf_counter() - started,
            len(self._models),
            used / MIB,
        )
        return model

    def _make_room(self, size: int) -> bool:
        """Evict idle models, least recently used first, until ``size`` more fits (locked).

        Return False, evicting nothing, when the models running calls hold leave no room.
        """
        settings = self.settings
        budget = settings.memory_budget_bytes

        def fits(keys: list[_Key]) -> bool:
            count = len(keys) + len(self._loading) + 1
            used = sum(self._sizes[k] for k in keys) + sum(self._loading.values()) + size
            return count <= settings.max_loaded_models and (not budget or used <= budget)

        kept = list(self._models)
        idle = [k for k in kept if not self._users.get(k)]
        evict: list[_Key] = []
        while not fits(kept) and idle:
            victim = idle.pop(0)
            kept.remove(victim)
            evict.append(victim)
        if not fits(kept):
            return False
        for victim in evict:
            label = self._models[victim].package.model_label
            log.info("unloaded model %s to make room (least recently used)", label)
            self._forget(victim)
        return True

    def _forget(self, key: _Key) -> None:
        """Drop a model that no call holds from the cache (locked)."""
        self._models.pop(key, None)
        self._sizes.pop(key, None)
        self._dropped.discard(key)

    def _load(self, package: InstalledPackage) -> _Loaded:
        """Open a package's CTranslate2 model and SentencePiece tokenizer."""
        settings = self.settings
        try:
            translator = ctranslate2.Translator(
                str(package.path / "model"),
                device=settings.device,
                compute_type=settings.compute_type,
                inter_threads=settings.inter_threads,
                intra_threads=settings.intra_threads,
            )
            tokenizer = spm.SentencePieceProcessor(
                model_file=str(package.path / "sentencepiece.model")
            )
            metadata = package.metadata()
            target_spm = metadata.get("target_spm")
            detokenizer = (
                spm.SentencePieceProcessor(model_file=str(package.path / str(target_spm)))
                if target_spm
                else tokenizer
            )
            adds_eos = adds_source_eos(package.path / "model")
        except (RuntimeError, OSError, ValueError, ModelError) as exc:
            raise ModelError(f"cannot load {package.label} from {package.path}: {exc}") from exc
        prefix = str(metadata.get("target_prefix") or "")
        return _Loaded(package, translator, tokenizer, prefix, detokenizer, adds_eos)

    def _translate_sentences(
        self, model: _Loaded, package: InstalledPackage, sentences: list[str]
    ) -> list[_Sentence]:
        """Translate sentences, each distinct one once, in calls that never change an output."""
        settings = self.settings
        unique = list(dict.fromkeys(sentences))
        tokens = model.tokenizer.encode(unique, out_type=str)
        # A many-to-many model reads "<source language> pieces </s>" and is made to start
        # its output with the target language's token, which _detokenize drops.
        target_prefix, added = model.target_prefix, 0
        if package.tokens is not None:
            source_token, target_prefix = package.tokens
            end = [] if model.adds_eos else ["</s>"]
            tokens = [[source_token, *pieces, *end] for pieces in tokens]
            added = 1 + len(end)
        if settings.stable_batches:
            calls = stable_calls(tokens, settings.length_bucket, settings.max_batch_size)
        else:  # one call: CTranslate2 sorts by length and pads each batch to its longest
            calls = [(list(range(len(tokens))), tokens)] if tokens else []
        # All calls submitted before any is awaited, so that inter_threads > 1 runs them side
        # by side. The options are argostranslate's, except batch_type: grouping by examples
        # keeps max_batch_size meaning "sentences", as the settings say; a stable call is one
        # CTranslate2 batch (its size), so none is cut and re-padded.
        pending: list[tuple[list[int], Callable[[], list[Any]]]] = []
        for indexes, batch in calls:
            options: dict[str, Any] = {
                "target_prefix": [[target_prefix]] * len(batch) if target_prefix else None,
                "replace_unknowns": True,
                "max_batch_size": len(batch)
                if settings.stable_batches
                else settings.max_batch_size,
                "batch_type": "examples",
                "beam_size": settings.beam_size,
                "num_hypotheses": 1,
                "length_penalty": LENGTH_PENALTY,
                "return_scores": True,
            }
            if self._pool is not None:  # a pool thread runs the call when a core is free
                call = self._pool.submit(model.translator.translate_batch, batch, **options)
                pending.append((indexes, partial(_pooled, call)))
            else:
                waiting = model.translator.translate_batch(batch, **options, asynchronous=True)
                pending.append((indexes, partial(_awaited, waiting)))
        out: dict[str, _Sentence] = {}
        for indexes, finished in pending:
            # zip stops at the real sentences: a filler's output, last, is dropped.
            for index, result in zip(indexes, finished(), strict=False):
                pieces = result.hypotheses[0]
                source = unique[index]
                out[source] = _Sentence(
                    text=_detokenize(model.detokenizer, target_prefix, source, pieces),
                    log_prob=_per_token(result.scores[0], len(pieces)),
                    source_tokens=len(tokens[index]) - added,
                    output_tokens=len(pieces),
                )
        return [out[s] for s in sentences]


def _stamp(folder: Path) -> tuple[int, tuple[tuple[str, int, int], ...]]:
    """What changes when a package is installed, removed, or its metadata.json is rewritten.

    Names as well as the folder's mtime: two installs within one clock tick share an mtime.
    Each package's metadata.json by inode and mtime: adding or removing a pair of a
    many-to-many model replaces that file (a new inode) and changes nothing above it.
    """
    marks = []
    for name in sorted(os.listdir(folder)):
        try:
            meta = os.stat(folder / name / "metadata.json")
            marks.append((name, meta.st_ino, meta.st_mtime_ns))
        except OSError:  # a stray file, or a folder being written
            marks.append((name, 0, 0))
    return folder.stat().st_mtime_ns, tuple(marks)


def stable_calls(
    tokens: Sequence[list[str]], bucket: int, batch: int
) -> list[tuple[list[int], list[list[str]]]]:
    """Cut tokenised sentences into calls whose outputs never depend on their batch-mates.

    A sentence of n tokens goes with those of its bucket (n rounded up to a multiple of
    ``bucket``) in calls of at most ``batch``, every call padded to exactly the bucket's
    length: when no sentence of the call has that length, a filler of that length (the first
    sentence's tokens repeated) goes last, and its output is to be dropped. So a sentence is
    always computed at the same padded length; the number of sentences beside it makes no
    difference (measured on the real model, benchmarks/batch_invariance.py). Returns
    (indexes into ``tokens``, the call's token lists, filler included) per call.
    """
    groups: dict[int, list[int]] = {}
    for index, pieces in enumerate(tokens):
        size = max(bucket, -(-len(pieces) // bucket) * bucket)
        groups.setdefault(size, []).append(index)
    room = max(1, batch - 1) if bucket > 1 else batch  # one place for the filler
    calls = []
    for size, indexes in sorted(groups.items()):
        count = -(-len(indexes) // room)
        share, extra = divmod(len(indexes), count)  # even calls: replicas finish together
        start = 0
        for n in range(count):
            own = indexes[start : start + share + (n < extra)]
            start += len(own)
            call = [list(tokens[i]) for i in own]
            if bucket > 1 and all(len(t) != size for t in call):
                first = call[0] or ["."]
                call.append([first[i % len(first)] for i in range(size)])
            calls.append((own, call))
    return calls


def _pooled(call: Future[Any]) -> list[Any]:
    """The results of a call a pool thread ran, once it has run."""
    return list(call.result())


def _awaited(waiting: Sequence[Any]) -> list[Any]:
    """The results of an asynchronous call, once every example is done."""
    return [w.result() for w in waiting]


def _per_token(score: float, length: int) -> float:
    """Undo beam search's length normalisation: mean log-probability per output token.

    CTranslate2 returns the cumulative log-probability divided by length ** length_penalty
    (the end-of-sentence token counted in length).
    """
    steps = max(1, length + 1)
    mean: float = score * float(steps) ** LENGTH_PENALTY / steps
    return mean


def _detokenize(
    detokenizer: spm.SentencePieceProcessor, target_prefix: str, source: str, pieces: list[str]
) -> str:
    """Turn output pieces into text as argostranslate does, without the target prefix."""
    if target_prefix and pieces[:1] == [target_prefix]:
        pieces = pieces[1:]
    text: str = detokenizer.decode_pieces(pieces).replace("\u2581", " ")
    # argostranslate turns every "_" into a space (some models emit it as a word break);
    # keep the underscores the source really had, such as placeholders or e-mail addresses.
    if "_" not in source:
        text = text.replace("_", " ")
    if target_prefix and text.startswith(target_prefix):
        text = text[len(target_prefix) :]
    return text.strip()
