"""Translation throughput: raw CTranslate2, Tagengo's worker path and LibreTranslate.

One run, the same zh→en Argos package, the same sentences (each translated once per row),
the same beam size and the same cores:

  (a) raw    — CTranslate2 ``translate_batch`` on the package: one call per ``--batch``
               sentences; one call of all sentences (CTranslate2 sorts them by length and
               cuts batches of ``--batch`` itself); that call with 2 inter × 1 intra threads;
  (b) center — announcements published into a private center (Redis, SQLite, a Celery
               worker process) until every ``en`` translation is stored: as a stream, and
               as a backlog queued while the worker takes no tasks;
  (c) libre  — LibreTranslate from its own virtual environment, one HTTP request per
               sentence: its defaults with one client, then ARGOS_INTER_THREADS=2
               ARGOS_INTRA_THREADS=1 with each of ``--libre-clients`` concurrent clients.

Prints a Markdown table and the verdicts against the bars; ``--out`` keeps the raw figures.
Set up LibreTranslate once, outside the project's environment (torch first, CPU wheel):
  python3 -m venv /tmp/lt-venv && /tmp/lt-venv/bin/pip install torch==2.13.0 \\
    && /tmp/lt-venv/bin/pip install libretranslate
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import throughput_center
import throughput_libre
from throughput_proc import percentile

from server.core.config import defaults

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODEL = ROOT.parent / "shared" / "models" / "translate-zh_en-1_9.argosmodel"
TUNED = {"ARGOS_INTER_THREADS": "2", "ARGOS_INTRA_THREADS": "1"}
# (one call of all sentences?, inter_threads): Tagengo's default threads, then the best raw.
RAW_PLANS = ((False, 1), (True, 1), (True, 2))


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _summary(name: str, raw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    lat = raw.pop("latency_ms")
    return {
        "row": name,
        "sentences_per_s": round(raw["sentences"] / raw["wall_s"], 2),
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        **extra,
        **raw,
    }


def row_raw(
    model: Path, work: Path, measured: Path, warmup: Path, args: Any, plan: tuple[bool, int]
) -> dict[str, Any]:
    """Run row (a) in a child process so its memory is its own."""
    whole, inter = plan
    if not (work / "raw").exists():
        with zipfile.ZipFile(model) as z:
            z.extractall(work / "raw")
    package = next((work / "raw").glob("*/metadata.json")).parent
    argv = [sys.executable, str(HERE / "throughput_raw.py"), "--package", str(package)]
    argv += ["--sentences", str(measured), "--warmup", str(warmup)]
    argv += ["--beam", str(args.beam), "--batch", str(args.batch)]
    argv += ["--whole"] if whole else []
    argv += ["--inter-threads", str(inter)]
    raw = json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)
    threads = f"inter {raw['inter_threads']} × intra {raw['intra_threads']}"
    name = "(a) raw, one call of all" if whole else f"(a) raw, calls of {args.batch}"
    return _summary(name, raw, threads=threads, clients="–")


def row_center(
    model: Path, work: Path, sentences: list[str], warmup: list[str], args: Any, mode: str
) -> dict[str, Any]:
    """Run row (b): Tagengo's worker path end to end."""
    env = {
        "TAGENGO_TARGET_LANGUAGES": args.targets,
        "TAGENGO_MT_BEAM_SIZE": str(args.beam),
        "TAGENGO_MT_BATCH_SIZE": str(args.batch),
        **dict(kv.split("=", 1) for kv in args.center_env),
    }
    folder = work / f"center-{mode}"
    raw = throughput_center.run(model, sentences, warmup, folder, env, mode == "backlog")
    default = defaults()

    def setting(name: str) -> str:
        return env.get(f"TAGENGO_{name}", str(default[name]))

    intra = setting("MT_INTRA_THREADS")
    threads = (
        f"worker {setting('WORKER_CONCURRENCY')} threads; inter {setting('MT_INTER_THREADS')} × "
        f"intra {'cores ÷ inter' if intra == '0' else intra}; claims of {setting('MT_CLAIM_TEXTS')}"
    )
    return _summary(f"(b) Tagengo worker, {mode}", raw, clients="–", threads=threads)


def rows_libre(
    model: Path, work: Path, sentences: list[str], warmup: list[str], args: Any
) -> list[dict[str, Any]]:
    """Run row (c): LibreTranslate with its defaults, then with tuned threads."""
    libre = throughput_libre.Libre(args.libre_venv, work / "libre", model, args.libre_onnx)
    beam = {"ARGOS_BEAM_SIZE": str(args.beam)}
    plans = [("(c) LibreTranslate defaults", beam, 1, "inter 1 × intra 0 (CT2 default)")]
    plans += [
        ("(c) LibreTranslate tuned", beam | TUNED, c, "inter 2 × intra 1") for c in args.clients
    ]
    out = []
    for name, settings, clients, threads in plans:
        load = _load()
        raw = throughput_libre.run(libre, settings, clients, sentences, warmup)
        row = _summary(name, raw, clients=clients, threads=threads)
        out.append(row | {"load_before": load, "load_after": _load()})
        print(f"{name}, {clients} client(s): {out[-1]['sentences_per_s']}/s", file=sys.stderr)
    return out


def table(rows: list[dict[str, Any]]) -> str:
    """Render the rows as a Markdown table."""
    lines = [
        "| row | threads | clients | sentences | sentences/s | p50 ms | p95 ms | peak RSS MiB "
        "| beam | CPU ms/sentence | load before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r["row"], r["threads"], r.get("clients", "–"), r["sentences"]]
        cells += [r["sentences_per_s"]]
        cells += [r["p50_ms"], r["p95_ms"], r["peak_rss_mib"], r["beam"]]
        cells += [round(1000 * r["cpu_s"] / r["sentences"])]
        cells += [f"{r.get('load_before', '?')} → {r.get('load_after', '?')}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    """Compare each row (b) with every row (a) and the best of each LibreTranslate setting."""
    libre = ("(c) LibreTranslate defaults", "(c) LibreTranslate tuned")
    others = [(r, 0.8) for r in rows if r["row"].startswith("(a)")]
    for name, bar in zip(libre, (5.0, 2.5), strict=True):
        found = [r for r in rows if r["row"] == name]
        if found:
            others.append((max(found, key=lambda r: r["sentences_per_s"]), bar))
    out = []
    for center in (r for r in rows if r["row"].startswith("(b)")):
        for other, bar in others:
            ratio = center["sentences_per_s"] / other["sentences_per_s"]
            ok = "meets" if ratio >= bar else "MISSES"
            label = f"{other['row']} [{other['threads']}, clients {other['clients']}]"
            out.append(f"{center['row']} / {label} = {ratio:.2f}× (bar ≥ {bar}×): {ok}")
    return out


def main() -> None:
    """Run the rows asked for; print the table and verdicts."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_model = Path(os.environ.get("TAGENGO_TEST_ARGOS_MODEL", MODEL))
    parser.add_argument("--model", type=Path, default=default_model, help="zh→en .argosmodel")
    parser.add_argument("--sentences", type=Path, default=HERE / "data" / "zh_sentences.txt")
    parser.add_argument("--warmup", type=int, default=5, help="last N lines warm up only")
    parser.add_argument("--limit", type=int, default=0, help="measure only the first N")
    parser.add_argument("--rows", default="raw,center,libre", help="which rows, comma-separated")
    parser.add_argument("--beam", type=int, default=4, help="beam size of every row")
    parser.add_argument(
        "--batch", type=int, default=defaults()["MT_BATCH_SIZE"], help="batch size of (a), (b)"
    )
    parser.add_argument("--targets", default="en", help="TAGENGO_TARGET_LANGUAGES of (b)")
    parser.add_argument("--center-modes", default="stream,backlog", help="modes of row (b)")
    parser.add_argument(
        "--center-env", action="append", default=[], metavar="KEY=VALUE",
        help="extra setting of the center's worker, e.g. TAGENGO_MT_INTRA_THREADS=1",
    )  # fmt: skip
    parser.add_argument("--libre-venv", type=Path, default=Path("/tmp/lt-venv"))
    parser.add_argument("--libre-onnx", type=Path, help="MiniSBD zh-hans.onnx, if you have it")
    parser.add_argument("--libre-clients", default="2,3,4", help="clients of the tuned setting")
    parser.add_argument("--work-dir", type=Path, help="keep logs here (default: a temp dir)")
    parser.add_argument("--out", type=Path, help="write every figure as JSON here")
    args = parser.parse_args()
    args.clients = [int(c) for c in args.libre_clients.split(",") if c]
    rows_wanted = set(args.rows.split(","))

    lines = [s for s in args.sentences.read_text(encoding="utf-8").splitlines() if s.strip()]
    if len(set(lines)) != len(lines):
        parser.error(f"{args.sentences} repeats a sentence")
    sentences, warmup = lines[: -args.warmup], lines[-args.warmup :]
    sentences = sentences[: args.limit] if args.limit else sentences
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="tagengo-tput-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "measured.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    (work / "warmup.txt").write_text("\n".join(warmup) + "\n", encoding="utf-8")
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{len(sentences)} sentences, {os.cpu_count()} CPUs; {uptime}", file=sys.stderr)

    rows: list[dict[str, Any]] = []
    started = time.time()
    for plan in RAW_PLANS if "raw" in rows_wanted else ():
        load = _load()
        row = row_raw(args.model, work, work / "measured.txt", work / "warmup.txt", args, plan)
        rows.append(row | {"load_before": load, "load_after": _load()})
    for mode in args.center_modes.split(",") if "center" in rows_wanted else ():
        load = _load()
        row = row_center(args.model, work, sentences, warmup, args, mode)
        rows.append(row | {"load_before": load, "load_after": _load(), "beam": args.beam})
    if "libre" in rows_wanted:
        for row in rows_libre(args.model, work, sentences, warmup, args):
            rows.append(row | {"beam": args.beam})

    print(table(rows))
    for line in verdicts(rows):
        print(line)
    print(f"total {time.time() - started:.0f} s; logs in {work}", file=sys.stderr)
    if args.out:
        report = {"uptime": uptime, "cpus": os.cpu_count(), "rows": rows}
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
