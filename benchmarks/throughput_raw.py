"""Row (a) of the throughput benchmark: bare CTranslate2 ``translate_batch``, the ceiling.

Run as a child process so its peak RSS is its own. Tokenises with SentencePiece and decodes
the way argostranslate does, with argostranslate's ``translate_batch`` options: one call per
``--batch`` sentences in file order, or with ``--whole`` one call for every sentence, which
CTranslate2 sorts by length and cuts into batches of ``--batch`` (less padding, so faster).
Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _decode(sp: spm.SentencePieceProcessor, pieces: list[str], prefix: str) -> str:
    """Turn output pieces into text as argostranslate does."""
    if prefix and pieces[:1] == [prefix]:
        pieces = pieces[1:]
    return str(sp.decode_pieces(pieces)).replace("\u2581", " ").strip()


def run(package: Path, sentences: list[str], warmup: list[str], args: Any) -> dict[str, Any]:
    """Translate ``sentences`` batch by batch; return timings, peak RSS and settings."""
    intra = args.intra_threads or max(1, _cores() // args.inter_threads)
    translator = ctranslate2.Translator(
        str(package / "model"),
        device="cpu",
        inter_threads=args.inter_threads,
        intra_threads=intra,
    )
    sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    meta = json.loads((package / "metadata.json").read_text())
    prefix = str(meta.get("target_prefix") or "")

    def batch(texts: list[str]) -> list[str]:
        tokens = sp.encode(texts, out_type=str)
        results = translator.translate_batch(
            tokens,
            target_prefix=[[prefix]] * len(tokens) if prefix else None,
            replace_unknowns=True,
            max_batch_size=args.batch,
            beam_size=args.beam,
            num_hypotheses=1,
            length_penalty=0.2,
            return_scores=False,
        )
        return [_decode(sp, r.hypotheses[0], prefix) for r in results]

    batch(warmup)  # first call allocates buffers; not part of the measurement
    per_sentence: list[float] = []
    outputs: list[str] = []
    started = time.perf_counter()
    step = len(sentences) if args.whole else args.batch
    for i in range(0, len(sentences), step):
        chunk = sentences[i : i + step]
        t0 = time.perf_counter()
        outputs += batch(chunk)
        per_sentence += [1000 * (time.perf_counter() - t0)] * len(chunk)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "sentences": len(sentences),
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "latency_ms": per_sentence,
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is KiB on Linux
        "beam": args.beam,
        "batch": args.batch,
        "whole": args.whole,
        "inter_threads": args.inter_threads,
        "intra_threads": intra,
        "sample": outputs[:3],
        "empty_outputs": sum(1 for o in outputs if not o),
    }


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    """Parse arguments, translate, print the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--package", type=Path, required=True, help="unzipped Argos package")
    parser.add_argument("--sentences", type=Path, required=True, help="measured, one per line")
    parser.add_argument("--warmup", type=Path, required=True, help="warm-up, one per line")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--whole", action="store_true", help="one call, CTranslate2 batches")
    parser.add_argument("--inter-threads", type=int, default=1)
    parser.add_argument("--intra-threads", type=int, default=0, help="0: cores ÷ inter")
    args = parser.parse_args()
    print(json.dumps(run(args.package, _lines(args.sentences), _lines(args.warmup), args)))


if __name__ == "__main__":
    main()
