"""Translation quality on the project's own zh→en dev set: the plain model against the product.

  (a) plain   — CTranslate2 + SentencePiece straight on the Argos package, argostranslate's
                decoding options, each sentence alone, no glossary;
  (b) product — ``translations.machine.ArgosTranslator``: glossary protection, placeholders,
                every dev-set line in one batch, as a worker translates a claim.

Reports chrF and BLEU (sacrebleu) against the references of ``translations/devset/zh_en.tsv``,
and for each line the glossary terms and literals (times, phone numbers) the output must
contain, hit or missed. Prints a Markdown table; ``--out`` keeps every output as JSON.

  PYTHONPATH=. python benchmarks/devset_quality.py \\
      --model ../shared/models/translate-zh_en-1_9.argosmodel
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2
import sacrebleu
import sentencepiece as spm

from translations.machine import ArgosTranslator
from translations.mt import ArgosEngine, EngineSettings, install, split_sentences

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "translations" / "devset" / "zh_en.tsv"
MODEL = ROOT.parent / "shared" / "models" / "translate-zh_en-1_9.argosmodel"


@dataclass(frozen=True)
class Line:
    """One dev-set line: source, reference and what the output must contain."""

    id: str
    source: str
    reference: str
    terms: tuple[str, ...]
    literals: tuple[str, ...]


def load_devset(path: Path = DEVSET) -> list[Line]:
    """Read the tab-separated dev set, skipping comments."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) != 5:
            raise ValueError(f"{path}: expected 5 tab-separated cells: {raw!r}")
        ident, source, reference, terms, literals = cells
        lines.append(
            Line(
                ident,
                source,
                reference,
                tuple(t for t in terms.split(";") if t),
                tuple(t for t in literals.split(";") if t),
            )
        )
    return lines


def contains(output: str, wanted: str) -> bool:
    """Tell whether ``wanted`` is in ``output``, any case, its last word maybe plural."""
    head, _, last = wanted.rpartition(" ")
    if last[-1:].isalpha():
        stem = last[:-1] + "(?:y|ies)" if last.endswith("y") else re.escape(last) + "(?:e?s)?"
    else:
        stem = re.escape(last)
    pattern = (re.escape(head + " ") if head else "") + stem
    return re.search(rf"(?<!\w){pattern}(?!\w)", output, re.IGNORECASE) is not None


def plain(package: Path, texts: list[str], beam: int) -> list[str]:
    """Translate each sentence alone with bare CTranslate2, as argostranslate decodes."""
    translator = ctranslate2.Translator(str(package / "model"), device="cpu", intra_threads=2)
    sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    out = []
    for text in texts:
        parts = []
        for sentence in split_sentences(text, "zh").sentences:
            result = translator.translate_batch(
                [sp.encode(sentence, out_type=str)],
                replace_unknowns=True,
                beam_size=beam,
                num_hypotheses=1,
                length_penalty=0.2,
            )[0]
            parts.append(str(sp.decode_pieces(result.hypotheses[0])).replace("\u2581", " "))
        out.append(" ".join(p.strip() for p in parts))
    return out


def product(packages: Path, texts: list[str], beam: int) -> list[Any]:
    """Translate every text in one call of the product path (glossary on)."""
    engine = ArgosEngine(EngineSettings(packages, intra_threads=2, beam_size=beam))
    return ArgosTranslator(engine).translate(texts, "zh", "en")


def score(lines: list[Line], outputs: list[str]) -> dict[str, Any]:
    """Return chrF, BLEU and the term and literal hits of one system."""
    refs = [[line.reference for line in lines]]
    misses = []
    hits = total = 0
    for line, out in zip(lines, outputs, strict=True):
        for wanted in line.terms + line.literals:
            total += 1
            if contains(out, wanted):
                hits += 1
            else:
                misses.append(f"{line.id}: {wanted!r} not in {out!r}")
    return {
        "chrf": round(sacrebleu.corpus_chrf(outputs, refs).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(outputs, refs).score, 2),
        "hits": hits,
        "checks": total,
        "misses": misses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = load_devset(args.devset)
    texts = [line.source for line in lines]
    with tempfile.TemporaryDirectory() as work:
        package = install(args.model, Path(work) / "packages")
        t0 = time.perf_counter()
        plain_out = plain(package.path, texts, args.beam)
        t1 = time.perf_counter()
        results = product(package.path.parent, texts, args.beam)
        t2 = time.perf_counter()
    product_out = [r.text or "" for r in results]
    rows = {
        "(a) plain model": score(lines, plain_out),
        "(b) product path": score(lines, product_out),
    }
    print(f"{len(lines)} lines, beam {args.beam}, sacrebleu {sacrebleu.__version__}\n")
    print("| system | chrF | BLEU | glossary terms + literals right |")
    print("|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['chrf']} | {row['bleu']} | {row['hits']}/{row['checks']} |")
    for name, row in rows.items():
        print(f"\n{name} misses:" if row["misses"] else f"\n{name}: no misses")
        for miss in row["misses"]:
            print(f"- {miss}")
    fallbacks = [
        f"{line.id}: {r.reason}" for line, r in zip(lines, results, strict=True) if r.reason
    ]
    print("\nproduct lines with a note:" if fallbacks else "\nproduct: no notes")
    for note in fallbacks:
        print(f"- {note}")
    same = [
        line
        for line, p, q in zip(lines, plain_out, product_out, strict=True)
        if p.strip() == q.strip()
    ]
    print(f"\nproduct output identical to plain: {len(same)}/{len(lines)} lines")
    if same and len(same) < len(lines):
        rest = [i for i, line in enumerate(lines) if line not in same]
        sub = [lines[i] for i in rest]
        a_sub = score(sub, [plain_out[i] for i in rest])
        b_sub = score(sub, [product_out[i] for i in rest])
        print(
            f"on the {len(rest)} lines that differ: chrF plain {a_sub['chrf']}, product "
            f"{b_sub['chrf']}; BLEU plain {a_sub['bleu']}, product {b_sub['bleu']}"
        )
    flagged = [f"{line.id} {r.check_reasons}" for line, r in zip(lines, results, strict=True)]
    flagged = [f for f, r in zip(flagged, results, strict=True) if r.check_first]
    print(f"quality gate, check first: {len(flagged)}/{len(lines)}: {', '.join(flagged)}")
    a, b = rows["(a) plain model"], rows["(b) product path"]
    ok = b["chrf"] >= a["chrf"] and b["hits"] == b["checks"]
    print(f"\nbar (product chrF ≥ plain, every term right): {'met' if ok else 'NOT met'}")
    print(f"time: plain {t1 - t0:.1f} s, product {t2 - t1:.1f} s", file=sys.stderr)
    if args.out:
        detail = [
            {
                "id": line.id,
                "source": line.source,
                "reference": line.reference,
                "plain": p,
                "product": q,
            }
            for line, p, q in zip(lines, plain_out, product_out, strict=True)
        ]
        args.out.write_text(
            json.dumps({"rows": rows, "lines": detail}, ensure_ascii=False, indent=1)
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
