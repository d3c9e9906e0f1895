"""The surge benchmark's ceiling: bare CTranslate2 with the English pivot shared.

Run as a child process so its peak RSS is its own. Loads every package of the surge (the
source→English one and each English→X one), then translates every sentence once into
English (one call of all, CTranslate2 sorts by length and cuts batches of ``--batch``) and
that English once into each other language (one call of all per language): 1 + (languages
− 1) model passes per sentence, the least any pivoting center can do. Tokenising and
decoding are throughput_raw's (argostranslate's). Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm
from throughput_raw import _cores, _decode, _lines


class Pair:
    """One loaded package: translator, tokenizer, target prefix."""

    def __init__(self, package: Path, inter: int, intra: int) -> None:
        self.translator = ctranslate2.Translator(
            str(package / "model"), device="cpu", inter_threads=inter, intra_threads=intra
        )
        self.sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
        meta = json.loads((package / "metadata.json").read_text())
        self.prefix = str(meta.get("target_prefix") or "")

    def translate(self, texts: list[str], beam: int, batch: int) -> tuple[list[str], int]:
        """Translate texts in one call; return outputs and the output pieces in all."""
        tokens = self.sp.encode(texts, out_type=str)
        results = self.translator.translate_batch(
            tokens,
            target_prefix=[[self.prefix]] * len(tokens) if self.prefix else None,
            replace_unknowns=True,
            max_batch_size=batch,
            beam_size=beam,
            num_hypotheses=1,
            length_penalty=0.2,
            return_scores=False,
        )
        pieces = sum(len(r.hypotheses[0]) for r in results)
        return [_decode(self.sp, r.hypotheses[0], self.prefix) for r in results], pieces


def run(first: Path, others: list[Path], sentences: list[str], args: Any) -> dict[str, Any]:
    """Load every package, warm each up, then time the shared-pivot surge."""
    intra = args.intra_threads or max(1, _cores() // args.inter_threads)
    t0 = time.perf_counter()
    to_en = Pair(first, args.inter_threads, intra)
    onward = [Pair(p, args.inter_threads, intra) for p in others]
    load_s = time.perf_counter() - t0
    warm, _ = to_en.translate(_lines(args.warmup), args.beam, args.batch)
    for pair in onward:
        pair.translate(warm, args.beam, args.batch)
    started = time.perf_counter()
    english, pieces_en = to_en.translate(sentences, args.beam, args.batch)
    pivot_s = time.perf_counter() - started
    pieces = [pieces_en]
    for pair in onward:
        _, out = pair.translate(english, args.beam, args.batch)
        pieces.append(out)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "sentences": len(sentences),
        "languages": 1 + len(onward),
        "passes": len(sentences) * (1 + len(onward)),
        "wall_s": round(wall, 3),
        "pivot_s": round(pivot_s, 3),
        "load_s": round(load_s, 2),
        "models": 1 + len(onward),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "output_pieces_per_sentence": [round(p / len(sentences), 1) for p in pieces],
        "inter_threads": args.inter_threads,
        "intra_threads": intra,
        "sample": english[:2],
    }


def main() -> None:
    """Parse arguments, translate, print the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--first", type=Path, required=True, help="source→en package folder")
    parser.add_argument("--onward", type=Path, nargs="*", default=[], help="en→X folders")
    parser.add_argument("--sentences", type=Path, required=True, help="measured, one per line")
    parser.add_argument("--warmup", type=Path, required=True, help="warm-up, one per line")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--inter-threads", type=int, default=2)
    parser.add_argument("--intra-threads", type=int, default=0, help="0: cores ÷ inter")
    args = parser.parse_args()
    sentences = _lines(args.sentences)
    print(json.dumps(run(args.first, args.onward, sentences, args), ensure_ascii=False))


if __name__ == "__main__":
    main()
