"""The 13-language surge: announcements in one source language into every machine language.

A center posting in Chinese (``TAGENGO_SOURCE_LANGUAGE=zh-Hans``) needs 12 machine languages:
ja, en, zh-Hant, ko, pt-BR, es, vi, tl, ne, id, th, my. Only one real model is at hand (zh→en),
so it stands in for every package the center needs: copies of it are installed as en→ja,
en→zt, en→ko, … (the same weights under other pair codes). English text through a zh→en
model costs the same compute per token as a real en→X model but the output is meaningless;
the figures are about time, memory and model loads, never about quality.

Rows, on the same announcements and cores:

  raw    — bare CTranslate2 with the pivot shared (``surge_raw.py``, a child process): every
           sentence once into English, that English once into each other language; the ceiling.
  center — a private center (Redis, SQLite, the stand-in models installed with
           ``tagengo models install``, one Celery worker as ``tagengo up`` starts it);
           announcements published with ``server.announcements.service.create``, half of the
           routine ones, then one Severe one, then the rest; the clock stops when the last
           language of the last announcement is on the boards (its board event, read back).
  libre  — LibreTranslate from its own virtual environment with the same stand-in packages
           (its own pivot through English), one request per announcement and language from
           ``--libre-clients`` concurrent clients, tuned threads (inter 2 × intra 1).

The ceiling runs at each of ``--raw-batch`` (16, 24, 32); only its fastest row is the bar.

Sentences: the dev set's Chinese column (``translations/devset/zh_en.tsv``), then
``benchmarks/data/zh_sentences.txt``, none twice; announcements of 1, 2, 3 sentences in turn.
Set up LibreTranslate as ``translate_throughput.py`` says (``--libre-venv``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import requests
import throughput_center
import throughput_libre
from sqlalchemy import func, select
from throughput_proc import cpu_seconds, family, peak_rss_mib, percentile
from translate_throughput import MODEL, TUNED

from server.announcements import drafts
from server.announcements import service as announcements
from server.core.config import defaults
from server.core.extensions import db
from server.models import BoardEvent, Translation
from translations import languages, mt
from translations.mt import split_sentences

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEVSET = ROOT / "translations" / "devset" / "zh_en.tsv"
MORE = HERE / "data" / "zh_sentences.txt"
SOURCE = "zh-Hans"
# Every center language with an Argos code, but the source: the center's machine languages.
MACHINE = [c for c in languages.CENTER_LANGUAGES if c != SOURCE and (languages.BY_CODE[c].argos)]
QUICK = {"announcements": 8, "languages": "en,ja,ko,es"}
LOADED = re.compile(r"(?<!un)loaded model (\S+→\S+)")
UNLOADED = re.compile(r"unloaded model (\S+→\S+)")
# translations.machine: sentences translated again because the model lost placeholders.
AGAIN = re.compile(r"translating again \S+→\S+ \(\w+\): (\d+) sentence")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def sentences() -> list[str]:
    """Return the Chinese sentences: the dev set's, then the throughput file's, each once."""
    rows = [line.split("\t") for line in DEVSET.read_text(encoding="utf-8").splitlines()]
    found = [r[1] for r in rows if len(r) > 2 and not r[0].startswith("#")]
    found += [s for s in MORE.read_text(encoding="utf-8").splitlines() if s.strip()]
    return list(dict.fromkeys(found))


def announcement_texts(pool: list[str], count: int) -> list[str]:
    """Make ``count`` texts of 1, 2, 3 sentences in turn, no sentence twice."""
    texts, i = [], 0
    for n in range(count):
        take = 1 + n % 3
        if i + take > len(pool):
            raise ValueError(f"{len(pool)} sentences are too few for {count} announcements")
        texts.append("".join(pool[i : i + take]))
        i += take
    return texts


def standins(model: Path, work: Path, codes: list[str]) -> dict[str, Path]:
    """Write copies of the zh→en package as en→X for each Argos code; return code → archive."""
    out: dict[str, Path] = {}
    with zipfile.ZipFile(model) as src:
        meta_name = next(n for n in src.namelist() if n.endswith("/metadata.json"))
        root = meta_name.split("/")[0]
        meta = json.loads(src.read(meta_name))
        for code in codes:
            name = f"translate-en_{code}-{meta['package_version'].replace('.', '_')}"
            target = work / f"{name}.argosmodel"
            out[code] = target
            if target.exists():
                continue
            stand_in = meta | {"from_code": "en", "to_code": code, "from_name": "English"}
            stand_in |= {"to_name": f"{code} (stand-in: the zh→en model)"}
            with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as dst:
                for info in src.infolist():
                    data = src.read(info.filename)
                    if info.filename == meta_name:
                        data = json.dumps(stand_in, indent=2).encode()
                    dst.writestr(name + info.filename[len(root) :], data)
    return out


def _argos(code: str) -> str:
    argos = languages.BY_CODE[code].argos
    assert argos, code
    return argos


def _passes(texts: list[str], langs: list[str], shared: bool = False) -> tuple[int, int]:
    """Return (sentences, model passes): a source→en hop per language, or one if ``shared``."""
    count = sum(len(split_sentences(t, SOURCE).sentences) for t in texts)
    if shared:
        return count, count * len(langs)  # once into English, then once per other language
    return count, count * sum(1 if lang == "en" else 2 for lang in langs)


# --- raw -----------------------------------------------------------------------------------


def row_raw(
    args: Any,
    work: Path,
    texts: list[str],
    warmup: str,
    langs: list[str],
    archives: dict[str, Path],
    batch: int,
) -> dict[str, Any]:
    """Run the shared-pivot ceiling in a child process over the center's installed packages."""
    packages = work / "raw-packages"
    if not mt.list_installed(packages):  # the first raw row installs them
        for archive in [args.model, *(archives[_argos(c)] for c in langs if c != "en")]:
            mt.install(archive, packages)
    by_pair = {(p.from_code, p.to_code): p.path for p in mt.list_installed(packages)}
    split = [s for t in texts for s in split_sentences(t, SOURCE).sentences]
    (work / "raw-sentences.txt").write_text("\n".join(split) + "\n", encoding="utf-8")
    (work / "raw-warmup.txt").write_text(warmup + "\n", encoding="utf-8")
    argv = [sys.executable, str(HERE / "surge_raw.py"), "--first", str(by_pair[("zh", "en")])]
    argv += ["--onward", *(str(by_pair[("en", _argos(c))]) for c in langs if c != "en")]
    argv += ["--sentences", str(work / "raw-sentences.txt")]
    argv += ["--warmup", str(work / "raw-warmup.txt")]
    argv += ["--beam", str(args.beam), "--batch", str(batch)]
    load = _load()
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    raw = json.loads(out)
    return raw | {
        "row": "raw CTranslate2, pivot shared (ceiling)",
        "threads": f"inter {raw['inter_threads']} × intra {raw['intra_threads']}, batch {batch}",
        "batch": batch,
        "sentence_languages": raw["sentences"] * len(langs),
        "load": f"{load} → {_load()}",
    }


# --- center --------------------------------------------------------------------------------


def _post(center: throughput_center.Center, text: str, severity: str) -> tuple[int, float]:
    urgency = "Immediate" if severity in ("Extreme", "Severe") else "Expected"
    with center.app.app_context():
        t = time.time()
        draft = drafts.parse_draft(
            {"text": text, "source_lang": SOURCE, "severity": severity, "urgency": urgency}
        )
        made = announcements.create(draft, None).id
        db.session.remove()
    return made, t


def _wait_all(
    center: throughput_center.Center, ids: list[int], langs: list[str], timeout: float
) -> None:
    """Wait until every language of every announcement is done; fail on a pending one."""
    deadline = time.monotonic() + timeout
    with center.app.app_context():
        while time.monotonic() < deadline:
            rows = db.session.execute(
                select(Translation.status, func.count())
                .where(Translation.lang.in_(langs), Translation.announcement_id.in_(ids))
                .group_by(Translation.status)
            ).all()
            db.session.rollback()
            counts = {status: n for status, n in rows}
            if counts.get("pending"):
                raise RuntimeError(f"translations went pending: {counts}")
            if counts.get("done", 0) == len(ids) * len(langs):
                return
            time.sleep(0.2)
    raise TimeoutError(f"not every language was done after {timeout:.0f}s")


def _on_boards(center: throughput_center.Center, ids: list[int], langs: list[str]) -> list[Any]:
    """Return (announcement, lang, board event time, method, reason) of each stored language."""
    with center.app.app_context():
        rows = db.session.execute(
            select(
                Translation.announcement_id,
                Translation.lang,
                BoardEvent.created_at,
                Translation.method,
                Translation.reason,
            )
            .join(BoardEvent, BoardEvent.seq == Translation.event_seq)
            .where(Translation.lang.in_(langs), Translation.announcement_id.in_(ids))
        ).all()
        db.session.remove()
    return list(rows)


def _log_counts(center: throughput_center.Center, offset: int) -> tuple[int, int, list[str], int]:
    """Return model loads, unloads, the loaded labels and the sentences translated again."""
    with open(center.log, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    loads = LOADED.findall(text)
    again = sum(int(n) for n in AGAIN.findall(text))
    return len(loads), len(UNLOADED.findall(text)), loads, again


def row_center(
    args: Any,
    work: Path,
    texts: list[str],
    warmup: str,
    langs: list[str],
    archives: dict[str, Path],
    severe_text: str,
) -> dict[str, Any]:
    """Run the surge through a private center with one worker process."""
    env = {
        "TAGENGO_SOURCE_LANGUAGE": SOURCE,
        "TAGENGO_TARGET_LANGUAGES": ",".join(langs),
        "TAGENGO_MT_BEAM_SIZE": str(args.beam),
        "TAGENGO_MT_BATCH_SIZE": str(args.batch),
        **dict(kv.split("=", 1) for kv in args.center_env),
    }
    load = _load()
    center = throughput_center.Center(work / "center", args.model, env)
    center.app.config["TARGET_LANGUAGES"] = list(langs)
    center.app.config["SOURCE_LANGUAGE"] = SOURCE
    tagengo = str(Path(sys.executable).with_name("tagengo"))
    extra = [str(archives[_argos(c)]) for c in langs if c != "en"]
    if extra:
        subprocess.run([tagengo, "models", "install", *extra], env=center.env, check=True)
    try:
        worker = center.start_worker()
        started = time.time()
        first, _ = _post(center, warmup, "Moderate")
        _wait_all(center, [first], langs, 600)
        warm_s = time.time() - started
        warm_loads, _, _, _ = _log_counts(center, 0)
        offset = center.log.stat().st_size
        half = args.severe_after if args.severe_after >= 0 else len(texts) // 2
        cpu0 = cpu_seconds(worker.pid)
        posted: dict[int, float] = {}
        for text in texts[:half]:
            made, t = _post(center, text, "Moderate")
            posted[made] = t
        severe, severe_t = _post(center, severe_text, "Severe")
        for text in texts[half:]:
            made, t = _post(center, text, "Moderate")
            posted[made] = t
        started = min(posted.values())
        _wait_all(center, [*posted, severe], langs, 3600)
        cpu = cpu_seconds(worker.pid) - cpu0
        peak = peak_rss_mib([worker.pid])
        rows = _on_boards(center, [*posted, severe], langs)
        loads, unloads, loaded, again = _log_counts(center, offset)
    finally:
        center.stop()
    done: dict[int, float] = {}
    for announcement, _, at, *_ in rows:
        done[announcement] = max(done.get(announcement, 0.0), at.timestamp())
    latency = [done[a] - posted[a] for a in posted]
    before = [a for a in posted if posted[a] < severe_t]
    waiting = [a for a in before if done[a] > severe_t]  # still not complete when it was posted
    overtaken = [a for a in waiting if done[a] > done[severe]]
    n_sentences, passes = _passes(texts, langs, shared=True)  # the center shares the pivot
    wall = max(done.values()) - started
    return {
        "row": "Tagengo center, one worker",
        "threads": _threads(env),
        "announcements": len(texts),
        "sentences": n_sentences,
        "sentence_languages": n_sentences * len(langs),
        # Model passes made: 12 per sentence, and every sentence translated again.
        "passes": passes + again,
        "passes_again": again,
        "wall_s": round(wall, 2),
        "done_p50_s": round(percentile(latency, 50), 2),
        "done_p95_s": round(percentile(latency, 95), 2),
        "done_max_s": round(max(latency), 2),
        "cpu_s": round(cpu, 1),
        "peak_rss_mib": round(peak, 1),
        "warmup_s": round(warm_s, 1),
        "warmup_loads": warm_loads,
        "surge_loads": loads,
        "surge_unloads": unloads,
        "surge_loaded": loaded,
        "methods": sorted({m for *_, m, _ in rows}),
        # Texts with a term not enforced: a sentence's placeholder stayed lost after the retries.
        "retried": sum(1 for *_, reason in rows if reason and reason.startswith("glossary")),
        "severe": {
            "posted_after": half,
            "done_s": round(done[severe] - severe_t, 2),
            "routine_before": len(before),
            "routine_waiting_when_posted": len(waiting),
            "of_them_finished_after_severe": len(overtaken),
            "routine_before_done_s": sorted(round(done[a] - severe_t, 2) for a in waiting),
        },
        "settings": env,
        "load": f"{load} → {_load()}",
    }


def _threads(env: dict[str, str]) -> str:
    default = defaults()

    def setting(name: str) -> str:
        return env.get(f"TAGENGO_{name}", str(default[name]))

    return (
        f"worker {setting('WORKER_CONCURRENCY')} threads, {setting('MT_DRAINS_PER_WORKER')} "
        f"drains; inter {setting('MT_INTER_THREADS')}, pool {setting('MT_POOL_THREADS')}; "
        f"≤ {setting('MT_MAX_LOADED_MODELS')} models, {setting('MT_MEMORY_BUDGET_MB')} MiB"
    )


# --- LibreTranslate ------------------------------------------------------------------------


def row_libre(
    args: Any,
    work: Path,
    texts: list[str],
    warmup: str,
    langs: list[str],
    archives: dict[str, Path],
) -> list[dict[str, Any]]:
    """Send one request per announcement and language to LibreTranslate, tuned threads."""
    libre = throughput_libre.Libre(args.libre_venv, work / "libre", args.model, args.libre_onnx)
    for code in langs:
        if code != "en":
            libre.install(archives[_argos(code)])
    codes = ",".join(["zh", *(_argos(c) for c in langs)])
    out = []
    for clients in args.clients:
        load = _load()
        proc, url = libre.serve({"ARGOS_BEAM_SIZE": str(args.beam)} | TUNED, load_only=codes)
        try:
            with requests.Session() as session:
                for code in langs:  # loads every model (argos loads them lazily)
                    throughput_libre._translate(session, url, warmup, _argos(code))
            pids = family(proc.pid)
            cpu0 = sum(cpu_seconds(p) for p in pids)
            finished, wall, errors = _drive_libre(url, texts, langs, clients, args.libre_order)
            cpu = sum(cpu_seconds(p) for p in pids) - cpu0
            peak = peak_rss_mib(family(proc.pid))
        finally:
            proc.terminate()
            proc.wait(30)
        latency = list(finished.values())
        n_sentences, passes = _passes(texts, langs)
        # By announcement, argostranslate's last-text cache skips an unknown share of the
        # zh→en hops (see _drive_libre): the passes it made are not known from outside.
        counted = passes if args.libre_order == "language" else 0
        out.append(
            {
                "row": "LibreTranslate tuned"
                + (", language by language" if args.libre_order == "language" else ""),
                "threads": "inter 2 × intra 1",
                "clients": clients,
                "announcements": len(texts),
                "sentences": n_sentences,
                "sentence_languages": n_sentences * len(langs),
                "passes": counted,
                "wall_s": round(wall, 2),
                "done_p50_s": round(percentile(latency, 50), 2),
                "done_p95_s": round(percentile(latency, 95), 2),
                "done_max_s": round(max(latency), 2),
                "cpu_s": round(cpu, 1),
                "peak_rss_mib": round(peak, 1),
                "errors": errors,
                "splitter": libre.splitter,
                "load": f"{load} → {_load()}",
            }
        )
        print(f"libre, {clients} clients: {wall:.1f} s", file=sys.stderr)
    return out


def _drive_libre(
    url: str, texts: list[str], langs: list[str], clients: int, order: str = "announcement"
) -> tuple[dict[int, float], float, int]:
    """Request every (announcement, language); return when each announcement was done.

    ``announcement``: an announcement's languages one after another, in posting order, as a
    client posting it would. argostranslate keeps each model's last input and its output
    (``CachedTranslation``), so the zh→en hop of the next language of the same text is not
    translated again: LibreTranslate then shares most of its pivot too. ``language``: every
    announcement into one language, then the next, which defeats that cache (23 passes).
    """
    if order == "language":
        todo = iter([(i, code) for code in langs for i in range(len(texts))])
    else:
        todo = iter([(i, code) for i in range(len(texts)) for code in langs])
    finished: dict[int, float] = {}
    errors = 0
    lock = threading.Lock()
    started = time.perf_counter()

    def client() -> None:
        nonlocal errors
        with requests.Session() as session:
            while True:
                with lock:
                    job = next(todo, None)
                if job is None:
                    return
                i, code = job
                try:
                    ok = bool(throughput_libre._translate(session, url, texts[i], _argos(code)))
                except (requests.RequestException, KeyError, ValueError):
                    ok = False
                with lock:
                    finished[i] = max(finished.get(i, 0.0), time.perf_counter() - started)
                    errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return finished, time.perf_counter() - started, errors


# --- report --------------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    """Render the rows as a Markdown table."""
    lines = [
        "| row | threads | sentence × languages | wall s | sentence-languages/s | model passes/s "
        "| every language on the boards p50 / p95 / max s | peak RSS MiB | CPU s | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        done = (
            f"{r['done_p50_s']} / {r['done_p95_s']} / {r['done_max_s']}"
            if "done_p50_s" in r
            else "–"
        )
        name = r["row"] + (f", {r['clients']} clients" if "clients" in r else "")
        cells = [name, r["threads"], r["sentence_languages"], r["wall_s"]]
        cells += [
            round(r["sentence_languages"] / r["wall_s"], 1),
            round(r["passes"] / r["wall_s"], 1) if r["passes"] else "–",
        ]
        cells += [done, r["peak_rss_mib"], r["cpu_s"], r["load"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    """State the bars: ≥ 2.5× LibreTranslate tuned, ≥ 0.8× the ceiling, Severe first."""
    out: list[str] = []

    def rate(r: dict[str, Any]) -> float:
        return float(r["sentence_languages"] / r["wall_s"])

    center = next((r for r in rows if r["row"].startswith("Tagengo")), None)
    if center is None:
        return out
    ours = rate(center)
    # The ceiling is bare CTranslate2 at its best batch size: only the fastest raw row counts.
    raws = [r for r in rows if r["row"].startswith("raw")]
    best = min(raws, key=lambda r: r["wall_s"], default=None)
    for r in rows:
        if r is center or (r["row"].startswith("raw") and r is not best):
            continue
        bar = 0.8 if r["row"].startswith("raw") else 2.5
        ratio = ours / rate(r)
        name = r["row"] + (f", {r['clients']} clients" if "clients" in r else "")
        name += f", batch {r['batch']} (the fastest of {len(raws)})" if r is best else ""
        verdict = "meets" if ratio >= bar else "MISSES"
        out.append(f"center / {name} = {ratio:.2f}× (bar ≥ {bar}×): {verdict}")
        if r is best and center["passes_again"]:
            # Not a bar: how fast the center makes model passes, the ones made again included.
            passes = center["passes"] / center["wall_s"] / (r["passes"] / r["wall_s"])
            out.append(
                f"  (model passes/s, the {center['passes_again']} made again included: "
                f"{passes:.2f}× the ceiling's)"
            )
    s = center["severe"]
    ok = s["of_them_finished_after_severe"] == s["routine_waiting_when_posted"]
    out.append(
        f"Severe (posted after {s['posted_after']} routine): every language on the boards "
        f"{s['done_s']} s after posting; of {s['routine_waiting_when_posted']} routine ones still "
        f"waiting, {s['of_them_finished_after_severe']} finished after it: "
        f"{'meets' if ok else 'MISSES'} the bar (all of them)"
    )
    out.append(
        f"model loads: {center['warmup_loads']} while warming up, {center['surge_loads']} during "
        f"the surge ({center['surge_unloads']} unloads); {center['passes_again']} sentence "
        f"passes again for lost placeholders; {center['retried']} texts kept a "
        "placeholder lost after the retries (a term not enforced)"
    )
    return out


def main() -> None:
    """Run the rows asked for; print the table and the verdicts."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, default=Path(os.environ.get("TAGENGO_TEST_ARGOS_MODEL", MODEL))
    )
    parser.add_argument("--announcements", type=int, default=50, help="how many (default 50)")
    parser.add_argument(
        "--languages", default=",".join(MACHINE),
        help="machine languages (BCP 47, comma-separated; default the 12 of a zh-Hans center)",
    )  # fmt: skip
    parser.add_argument("--rows", default="center,raw,libre", help="which rows, comma-separated")
    parser.add_argument("--quick", action="store_true", help="8 announcements into en,ja,ko,es")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--batch", type=int, default=defaults()["MT_BATCH_SIZE"])
    parser.add_argument(
        "--raw-batch", default="16,24,32",
        help="the ceiling's batch sizes, comma-separated: a row each, the fastest is the bar",
    )  # fmt: skip
    parser.add_argument(
        "--center-env", action="append", default=[], metavar="KEY=VALUE",
        help="a setting of the center's worker, e.g. TAGENGO_MT_MAX_LOADED_MODELS=4",
    )  # fmt: skip
    parser.add_argument("--severe-after", type=int, default=-1, help="routine ones posted first")
    parser.add_argument("--libre-venv", type=Path, default=Path("/tmp/lt-venv"))
    parser.add_argument("--libre-onnx", type=Path, help="MiniSBD zh-hans.onnx, if you have it")
    parser.add_argument("--libre-clients", default="4", help="concurrent clients, e.g. 2,4")
    parser.add_argument(
        "--libre-order", choices=("announcement", "language"), default="announcement",
        help="requests by announcement (its languages in turn) or language by language",
    )  # fmt: skip
    parser.add_argument("--work-dir", type=Path, help="keep logs here (default: a temp dir)")
    parser.add_argument("--out", type=Path, help="write every figure as JSON here")
    args = parser.parse_args()
    if args.quick:
        args.announcements, args.languages = QUICK["announcements"], QUICK["languages"]
    args.clients = [int(c) for c in args.libre_clients.split(",") if c]
    langs = [languages.normalize(c) or c for c in args.languages.split(",") if c]
    unknown = [c for c in langs if c not in MACHINE]
    if unknown or "en" not in langs:
        parser.error(f"--languages must include en and only {', '.join(MACHINE)}; not {unknown}")
    wanted = set(args.rows.split(","))

    pool = sentences()
    texts = announcement_texts(pool[:-2], args.announcements)
    warmup, severe = pool[-1], pool[-2]  # sentences no routine announcement has
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="tagengo-surge-"))
    work.mkdir(parents=True, exist_ok=True)
    archives = standins(args.model, work, [_argos(c) for c in langs if c != "en"])
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{len(texts)} announcements × {len(langs)} languages; {uptime}", file=sys.stderr)

    rows: list[dict[str, Any]] = []
    if "center" in wanted:
        rows.append(row_center(args, work, texts, warmup, langs, archives, severe))
    if "raw" in wanted:
        for batch in (int(b) for b in args.raw_batch.split(",") if b):
            rows.append(row_raw(args, work, texts, warmup, langs, archives, batch))
    if "libre" in wanted:
        if (args.libre_venv / "bin" / "python").exists():
            rows += row_libre(args, work, texts, warmup, langs, archives)
        else:
            print(f"no LibreTranslate at {args.libre_venv}: its row is left out", file=sys.stderr)
    print(table(rows))
    for line in verdicts(rows):
        print(line)
    print(f"logs in {work}", file=sys.stderr)
    if args.out:
        report = {"uptime": uptime, "cpus": os.cpu_count(), "languages": langs, "rows": rows}
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    main()
