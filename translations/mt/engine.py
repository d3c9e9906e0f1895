"""The offline Argos engine: batched CTranslate2 translation over installed packages.

argostranslate's own ``translate`` reads global settings fixed at import time and downloads a
sentence splitter on first use, so this engine reads package folders itself and keeps
argostranslate's decoding: the same ``translate_batch`` options, target prefix and
SentencePiece detokenisation. It differs on purpose in two ways: all sentences of all texts
go through one package in one go, which is what makes a worker fast; and sentences are
grouped by their exact token count so that no sentence is ever padded. Padding changes the
shapes of CTranslate2's matrix products, hence their rounding, hence beam search's choices:
on the real zh→en model, 7 of 59 dev-set sentences came out differently in one batch of all
than alone. Without padding a sentence's output does not depend on what else is batched.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ctranslate2
import sentencepiece as spm

from translations.mt.errors import ModelError, NoRouteError
from translations.mt.packages import InstalledPackage, list_installed
from translations.mt.sentences import join_sentences, split_sentences

PIVOT = "en"
LENGTH_PENALTY = 0.2  # argostranslate's


def _cores() -> int:
    """Return the CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
    compute_type: str = "default"
    # Which kind of package translates a pair that several kinds serve, best first: "ct2"
    # (a model folder the center installed, translations.mt.folders) or "argos".
    prefer: tuple[str, ...] = ("ct2", "argos")

    def __post_init__(self) -> None:
        for name in ("inter_threads", "beam_size", "max_batch_size", "max_loaded_models"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.intra_threads < 0:
            raise ValueError("intra_threads must be 0 (automatic) or more")
        if self.intra_threads == 0:
            # CTranslate2's own 0 means "every core per translator", which oversubscribes
            # the machine as soon as inter_threads > 1.
            object.__setattr__(self, "intra_threads", max(1, _cores() // self.inter_threads))


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


class ArgosEngine:
    """Translate with the Argos packages in one folder, loading each model once."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        # Keyed by the whole package (path, version, size): a rebuilt package reloads.
        self._loading: dict[InstalledPackage, threading.Lock] = {}
        self._models: OrderedDict[InstalledPackage, _Loaded] = OrderedDict()
        self._seen: tuple[object, list[InstalledPackage]] | None = None

    def installed(self) -> list[InstalledPackage]:
        """Return the installed packages, rescanning only when the folder changed."""
        folder = self.settings.packages_dir
        try:
            # Names as well as mtime: two installs within one clock tick share an mtime.
            stamp = (folder.stat().st_mtime_ns, tuple(sorted(os.listdir(folder))))
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
                hops.append(self._translate_sentences(self._model(package), sentences))
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
            return [m.package.label for m in self._models.values()]

    def unload(self) -> None:
        """Drop every loaded model (memory comes back once running calls finish)."""
        with self._lock:
            self._models.clear()

    def _model(self, package: InstalledPackage) -> _Loaded:
        """Return the loaded model of a package, loading it once even under threads."""
        key = package
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            gate = self._loading.setdefault(key, threading.Lock())
        # Loading takes seconds: hold only this package's gate, so other pairs keep going.
        with gate:
            with self._lock:
                if key in self._models:
                    return self._models[key]
            model = self._load(package)
            with self._lock:
                self._models[key] = model
                while len(self._models) > self.settings.max_loaded_models:
                    self._models.popitem(last=False)
                self._loading.pop(key, None)
        return model

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
        except (RuntimeError, OSError, ValueError) as exc:
            raise ModelError(f"cannot load {package.label} from {package.path}: {exc}") from exc
        prefix = str(metadata.get("target_prefix") or "")
        return _Loaded(package, translator, tokenizer, prefix, detokenizer)

    def _translate_sentences(self, model: _Loaded, sentences: list[str]) -> list[_Sentence]:
        """Translate sentences, each distinct one once, grouped by exact token count."""
        unique = list(dict.fromkeys(sentences))
        tokens = model.tokenizer.encode(unique, out_type=str)
        groups: dict[int, list[int]] = {}
        for index, pieces in enumerate(tokens):
            groups.setdefault(len(pieces), []).append(index)
        # One call per length, all submitted before any is awaited, so that inter_threads > 1
        # runs lengths side by side. Within a call every sentence has the same length: none is
        # padded, and the output is the one the sentence gets alone (tested on the real model).
        # The options are argostranslate's, except batch_type: grouping by examples keeps
        # max_batch_size meaning "sentences", as the settings say.
        pending = []
        for indexes in groups.values():
            batch = [tokens[i] for i in indexes]
            prefix = [[model.target_prefix]] * len(batch) if model.target_prefix else None
            asynchronous = model.translator.translate_batch(
                batch,
                target_prefix=prefix,
                replace_unknowns=True,
                max_batch_size=self.settings.max_batch_size,
                batch_type="examples",
                beam_size=self.settings.beam_size,
                num_hypotheses=1,
                length_penalty=LENGTH_PENALTY,
                return_scores=True,
                asynchronous=True,
            )
            pending.append((indexes, asynchronous))
        out: dict[str, _Sentence] = {}
        for indexes, asynchronous in pending:
            for index, waiting in zip(indexes, asynchronous, strict=True):
                result = waiting.result()
                pieces = result.hypotheses[0]
                source = unique[index]
                out[source] = _Sentence(
                    text=_detokenize(model, source, pieces),
                    log_prob=_per_token(result.scores[0], len(pieces)),
                    source_tokens=len(tokens[index]),
                    output_tokens=len(pieces),
                )
        return [out[s] for s in sentences]


def _per_token(score: float, length: int) -> float:
    """Undo beam search's length normalisation: mean log-probability per output token.

    CTranslate2 returns the cumulative log-probability divided by length ** length_penalty
    (the end-of-sentence token counted in length).
    """
    steps = max(1, length + 1)
    mean: float = score * float(steps) ** LENGTH_PENALTY / steps
    return mean


def _detokenize(model: _Loaded, source: str, pieces: list[str]) -> str:
    """Turn output pieces into text as argostranslate does."""
    if model.target_prefix and pieces[:1] == [model.target_prefix]:
        pieces = pieces[1:]
    text: str = model.detokenizer.decode_pieces(pieces).replace("\u2581", " ")
    # argostranslate turns every "_" into a space (some models emit it as a word break);
    # keep the underscores the source really had, such as placeholders or e-mail addresses.
    if "_" not in source:
        text = text.replace("_", " ")
    if model.target_prefix and text.startswith(model.target_prefix):
        text = text[len(model.target_prefix) :]
    return text.strip()
