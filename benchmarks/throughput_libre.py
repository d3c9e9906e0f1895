"""Row (c) of the throughput benchmark: LibreTranslate's path, one HTTP request per sentence.

LibreTranslate runs from its own virtual environment (it pulls torch and pins its own
Flask), offline: the package is installed into a private ``ARGOS_PACKAGES_DIR``, the package
index is a local folder whose ``index.json`` is ``[]``, and ``--load-only zh,en``. Each
setting gets a fresh server process, so no sentence is translated twice by one process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import requests
from throughput_proc import cpu_seconds, family, peak_rss_mib

from server.core import embedded

HERE = Path(__file__).resolve().parent
INSTALL = "import sys, argostranslate.package as p; p.install_from_path(sys.argv[1])"


class Libre:
    """A LibreTranslate installation in ``venv`` with the model in a private data folder."""

    def __init__(self, venv: Path, work: Path, model: Path, onnx: Path | None) -> None:
        self.python = venv / "bin" / "python"
        if not self.python.exists():
            raise FileNotFoundError(f"no LibreTranslate virtual environment at {venv}")
        self.work = work
        home = work / "lt-home"
        index = work / "lt-index"
        index.mkdir(parents=True, exist_ok=True)
        (index / "index.json").write_text("[]")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TAGENGO_", "VIRTUAL"))},
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "ARGOS_PACKAGES_DIR": str(home / "packages"),
            "ARGOS_PACKAGE_INDEX": index.as_uri() + "/",
        }
        subprocess.run([str(self.python), "-c", INSTALL, str(model)], env=self.env, check=True)
        package = next(p.parent for p in (home / "packages").glob("*/metadata.json"))
        # MiniSBD looks in the package's minisbd/ folder before it tries to download.
        self.splitter = "MiniSBD (.onnx in the package)" if onnx else "rule stand-in"
        if onnx is not None:
            (package / "minisbd").mkdir(exist_ok=True)
            shutil.copy(onnx, package / "minisbd" / onnx.name)
        self.rule_splitter = onnx is None

    def install(self, archive: Path) -> None:
        """Install one more package into the private folder."""
        subprocess.run([str(self.python), "-c", INSTALL, str(archive)], env=self.env, check=True)

    def serve(
        self, settings: dict[str, str], load_only: str = "zh,en"
    ) -> tuple[subprocess.Popen[bytes], str]:
        """Start a server with ``settings`` in its environment; return it once it answers."""
        port = embedded.free_port()
        argv = [str(self.python), str(HERE / "libre_offline.py")]
        argv += ["--rule-splitter"] if self.rule_splitter else []
        argv += ["--host", "127.0.0.1", "--port", str(port), "--load-only", load_only]
        log = open(self.work / f"libretranslate-{port}.log", "ab")  # noqa: SIM115 - child owns it
        proc = subprocess.Popen(argv, env=self.env | settings, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"LibreTranslate exited; see {log.name}")
            try:
                codes = {x["code"] for x in requests.get(url + "/languages", timeout=2).json()}
                if {"en"} <= codes and codes & {"zh", "zh-Hans"}:
                    return proc, url
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        proc.kill()
        raise TimeoutError("LibreTranslate did not answer /languages in 180 s")


def _translate(session: requests.Session, url: str, text: str, target: str = "en") -> str:
    body = {"q": text, "source": "zh", "target": target, "format": "text"}
    r = session.post(url + "/translate", json=body, timeout=120)
    r.raise_for_status()
    return str(r.json()["translatedText"])


def _drive(url: str, sentences: list[str], clients: int) -> tuple[float, list[float], int]:
    """Send every sentence once from ``clients`` threads; return wall s, latencies, errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    todo = iter(sentences)

    def client() -> None:
        nonlocal errors
        with requests.Session() as session:
            while True:
                with lock:
                    text = next(todo, None)
                if text is None:
                    return
                t0 = time.perf_counter()
                try:
                    ok = bool(_translate(session, url, text))
                except (requests.RequestException, KeyError, ValueError):
                    ok = False
                ms = 1000 * (time.perf_counter() - t0)
                with lock:
                    latencies.append(ms)
                    errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors


def run(
    libre: Libre, settings: dict[str, str], clients: int, sentences: list[str], warmup: list[str]
) -> dict[str, Any]:
    """Measure one server setting with ``clients`` concurrent clients."""
    proc, url = libre.serve(settings)
    try:
        with requests.Session() as session:
            _translate(session, url, warmup[0])  # loads the model (argos loads it lazily)
        _drive(url, warmup[1:], clients)
        pids = family(proc.pid)
        cpu0 = sum(cpu_seconds(p) for p in pids)
        wall, latencies, errors = _drive(url, sentences, clients)
        return {
            "sentences": len(sentences),
            "wall_s": round(wall, 3),
            "cpu_s": round(sum(cpu_seconds(p) for p in pids) - cpu0, 2),
            "latency_ms": latencies,
            "errors": errors,
            "peak_rss_mib": round(peak_rss_mib(family(proc.pid)), 1),
            "clients": clients,
            "settings": settings,
            "splitter": libre.splitter,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
