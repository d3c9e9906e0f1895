"""Where one language pair's CPU goes in the surge: bare CTranslate2, the engine, the product path.

Reads what ``surge.py --work-dir DIR`` left: the center's installed stand-in packages and its
database (the English every en→X pair translated). In one thread (inter 1 × intra 1), on the
same sentences:

  raw      — CTranslate2 ``translate_batch`` in batches of ``--batch``, as the ceiling does;
  engine   — ``ArgosEngine.translate``: length buckets padded by a filler (batch invariance);
  product  — ``ArgosTranslator.translate`` on the whole texts: protection, placeholder retries,
             restoring, the quality gate; and the engine calls it made (sentences per call).

Prints CPU and wall seconds of each. Stand-in packages: the cost is real, the text is not.

    PYTHONPATH=$PWD python benchmarks/surge.py --rows center --work-dir /tmp/surge
    PYTHONPATH=$PWD python benchmarks/surge_pair_cost.py /tmp/surge --target ja
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm

from translations import machine
from translations.mt import ArgosEngine, EngineSettings, split_sentences


def _measure(work: Callable[[], Any]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return round(time.process_time() - cpu, 2), round(time.perf_counter() - wall, 2)


def main() -> None:
    """Measure the three paths on one pair; print a line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("work_dir", type=Path, help="surge.py's --work-dir")
    parser.add_argument("--target", default="ja", help="Argos code of the en→X pair")
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    packages = args.work_dir / "center" / "argos-packages"
    package = packages / f"translate-en_{args.target}-1_9"
    with sqlite3.connect(args.work_dir / "center" / "tagengo.db") as con:
        rows = con.execute("SELECT text FROM translations WHERE lang = 'en' AND text IS NOT NULL")
        texts = [str(r[0]) for r in rows]
    sentences = [s for t in texts for s in split_sentences(t, "en").sentences]
    print(f"{len(texts)} English texts, {len(sentences)} sentences, en→{args.target}")

    translator = ctranslate2.Translator(
        str(package / "model"), device="cpu", inter_threads=1, intra_threads=1
    )
    sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    tokens = sp.encode(sentences, out_type=str)
    options = {"beam_size": 4, "length_penalty": 0.2, "max_batch_size": args.batch}
    translator.translate_batch(tokens[:2], **options)  # warm up
    print("raw", _measure(lambda: translator.translate_batch(tokens, **options)))

    settings = EngineSettings(packages, inter_threads=1, intra_threads=1, max_batch_size=args.batch)
    engine = ArgosEngine(settings)
    engine.translate(sentences[:2], "en", args.target)  # loads the model
    print("engine", _measure(lambda: engine.translate(sentences, "en", args.target)))

    calls: list[int] = []
    original = engine.translate

    def counting(batch: list[str], source: str, target: str) -> Any:
        calls.append(len(batch))
        return original(batch, source, target)

    engine.translate = counting  # type: ignore[method-assign,assignment]
    product = machine.ArgosTranslator(engine)
    cost = _measure(lambda: product.translate(texts, "en", args.target))
    print("product", cost, "engine calls (sentences each):", calls)


if __name__ == "__main__":
    main()
