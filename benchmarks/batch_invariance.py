"""Batch invariance: does a sentence's output depend on what shares its batch, at what cost?

On the real zh→en Argos package, with the center's decoding options (beam 4, batch 16):

  1. every sentence alone (one ``translate_batch`` per sentence), then all in one call as the
     engine used to (CTranslate2 sorts by length and pads each batch of 16 to its longest),
     then grouped by exact token count (no padding), then by length bucket as the engine
     does now (``stable_calls``: token counts rounded up to ``--bucket``, every call padded
     to its bucket's length by a filler), in file order and shuffled (other batch-mates).
     Counts the sentences whose text, or whose score, differs from the one they get alone —
     for the buckets, alone with their filler, the only way the engine ever runs them;
  2. sentences per second of the one padded call against the grouped and the bucketed calls
     (all submitted asynchronously, as the engine does), repeated and interleaved, with the
     worker's thread setting (inter 2 × intra 1) and with one translator on every core.

  PYTHONPATH=. python benchmarks/batch_invariance.py --repeats 3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm

from translations.mt import install
from translations.mt.engine import stable_calls

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT.parent / "shared" / "models" / "translate-zh_en-1_9.argosmodel"
SENTENCES = ROOT / "benchmarks" / "data" / "zh_sentences.txt"
DEVSET = ROOT / "translations" / "devset" / "zh_en.tsv"

Out = list[tuple[tuple[str, ...], float]]


def _sentences(limit: int) -> list[str]:
    lines = [s.strip() for s in SENTENCES.read_text(encoding="utf-8").splitlines() if s.strip()]
    dev = [
        row.split("\t")[1]
        for row in DEVSET.read_text(encoding="utf-8").splitlines()
        if row.strip() and not row.startswith("#")
    ]
    return list(dict.fromkeys(lines + dev))[:limit]


def _options(batch: int, beam: int) -> dict[str, Any]:
    return {
        "replace_unknowns": True,
        "max_batch_size": batch,
        "batch_type": "examples",
        "beam_size": beam,
        "num_hypotheses": 1,
        "length_penalty": 0.2,
        "return_scores": True,
    }


def padded(translator: ctranslate2.Translator, tokens: list[list[str]], opts: Any) -> Out:
    """One call of everything: the engine's old way."""
    results = translator.translate_batch(tokens, **opts)
    return [(tuple(r.hypotheses[0]), r.scores[0]) for r in results]


def grouped(translator: ctranslate2.Translator, tokens: list[list[str]], opts: Any) -> Out:
    """One call per token count, all submitted before any is awaited: the engine's way."""
    groups: dict[int, list[int]] = {}
    for i, t in enumerate(tokens):
        groups.setdefault(len(t), []).append(i)
    pending = [
        (idx, translator.translate_batch([tokens[i] for i in idx], asynchronous=True, **opts))
        for idx in groups.values()
    ]
    out: dict[int, tuple[tuple[str, ...], float]] = {}
    for idx, waiting in pending:
        for i, w in zip(idx, waiting, strict=True):
            r = w.result()
            out[i] = (tuple(r.hypotheses[0]), r.scores[0])
    return [out[i] for i in range(len(tokens))]


def bucketed(
    translator: ctranslate2.Translator, tokens: list[list[str]], opts: Any, bucket: int
) -> Out:
    """Calls by length bucket, each padded to its bucket by a filler: the engine's way."""
    calls = stable_calls(tokens, bucket, opts["max_batch_size"])
    pending = []
    for own, call in calls:
        one_batch = opts | {"max_batch_size": len(call)}
        pending.append((own, translator.translate_batch(call, asynchronous=True, **one_batch)))
    out: dict[int, tuple[tuple[str, ...], float]] = {}
    for own, waiting in pending:
        for i, w in zip(own, waiting, strict=False):  # the filler, last, is dropped
            r = w.result()
            out[i] = (tuple(r.hypotheses[0]), r.scores[0])
    return [out[i] for i in range(len(tokens))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bucket", type=int, default=8, help="the engine's length bucket")
    args = parser.parse_args()
    sentences = _sentences(args.limit)
    cores = len(os.sched_getaffinity(0))
    opts = _options(args.batch, args.beam)
    with tempfile.TemporaryDirectory() as work:
        package = install(args.model, Path(work) / "packages").path
        sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
        tokens = sp.encode(sentences, out_type=str)

        def translator(inter: int, intra: int) -> ctranslate2.Translator:
            return ctranslate2.Translator(
                str(package / "model"), device="cpu", inter_threads=inter, intra_threads=intra
            )

        one = translator(1, cores)
        alone = [padded(one, [t], opts)[0] for t in tokens]
        print(
            f"{len(sentences)} sentences, {len({len(t) for t in tokens})} token counts, "
            f"beam {args.beam}, batch {args.batch}, load {os.getloadavg()[0]:.1f}\n"
        )
        print("| call | texts differing from alone | scores differing from alone |")
        print("|---|---|---|")
        by_bucket = args.bucket
        alone_b = [bucketed(one, [t], opts, by_bucket)[0] for t in tokens]
        order = list(range(len(tokens)))
        random.Random(17).shuffle(order)

        def in_buckets(model: ctranslate2.Translator, toks: list[list[str]], o: Any) -> Out:
            return bucketed(model, toks, o, by_bucket)

        def shuffled(model: ctranslate2.Translator, toks: list[list[str]], o: Any) -> Out:
            out = bucketed(model, [toks[i] for i in order], o, by_bucket)
            back = dict(zip(order, out, strict=True))
            return [back[i] for i in range(len(toks))]

        checks: tuple[tuple[str, Callable[..., Out], Out], ...] = (
            ("one padded call", padded, alone),
            ("grouped by token count", grouped, alone),
            (f"bucketed by {by_bucket}, file order", in_buckets, alone_b),
            (f"bucketed by {by_bucket}, shuffled", shuffled, alone_b),
        )
        for name, run, reference in checks:
            out = run(one, tokens, opts)
            texts = sum(a[0] != b[0] for a, b in zip(reference, out, strict=True))
            scores = sum(a[1] != b[1] for a, b in zip(reference, out, strict=True))
            print(f"| {name} | {texts} / {len(tokens)} | {scores} / {len(tokens)} |")
        print("\n| threads | one padded call, s/s | grouped, s/s | bucketed, s/s | ÷ padded |")
        print("|---|---|---|---|---|")
        for inter, intra in ((2, max(1, cores // 2)), (1, cores)):
            model = translator(inter, intra)
            padded(model, tokens[:16], opts)  # warm up
            speed: dict[str, list[float]] = {"padded": [], "grouped": [], "bucketed": []}
            runs: tuple[tuple[str, Callable[..., Out]], ...] = (
                ("padded", padded),
                ("grouped", grouped),
                ("bucketed", in_buckets),
            )
            for _ in range(args.repeats):
                for name, run in runs:
                    started = time.perf_counter()
                    run(model, tokens, opts)
                    speed[name].append(len(tokens) / (time.perf_counter() - started))
            a, b, c = (statistics.median(speed[k]) for k in ("padded", "grouped", "bucketed"))
            print(f"| inter {inter} × intra {intra} | {a:.2f} | {b:.2f} | {c:.2f} | {c / a:.2f} |")
    print(f"\nmedian of {args.repeats} interleaved runs; load after {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
