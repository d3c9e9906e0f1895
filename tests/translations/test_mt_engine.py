"""The Argos engine over tiny, real packages whose output the glossary predicts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import ctranslate2
import pytest

from translations.mt import ArgosEngine, EngineSettings, NoRouteError, install, remove
from translations.mt.engine import stable_calls

Tiny = Callable[..., Path]
MakeEngine = Callable[..., ArgosEngine]
ES_EN = {"agua": "water", "refugio": "shelter", "abierto": "open"}
EN_VI = {"water": "nuoc", "shelter": "noi-tru-an", "open": "mo"}


class SpyTranslator:
    """A ctranslate2.Translator that records how it is built and called."""

    created: ClassVar[list[str]] = []
    calls: ClassVar[list[tuple[int, dict[str, Any]]]] = []
    lengths: ClassVar[list[set[int]]] = []

    def __init__(self, model_path: str, **kwargs: Any) -> None:
        SpyTranslator.created.append(model_path)
        self._inner = _REAL_TRANSLATOR(model_path, **kwargs)

    def translate_batch(self, tokens: list[list[str]], **kwargs: Any) -> Any:
        SpyTranslator.calls.append((len(tokens), kwargs))
        SpyTranslator.lengths.append({len(t) for t in tokens})
        return self._inner.translate_batch(tokens, **kwargs)


_REAL_TRANSLATOR = ctranslate2.Translator


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> type[SpyTranslator]:
    monkeypatch.setattr(SpyTranslator, "created", [])
    monkeypatch.setattr(SpyTranslator, "calls", [])
    monkeypatch.setattr(SpyTranslator, "lengths", [])
    monkeypatch.setattr(ctranslate2, "Translator", SpyTranslator)
    return SpyTranslator


@pytest.fixture
def es_en(tiny: Tiny, packages_dir: Path) -> Path:
    return install(tiny("es", "en", ES_EN), packages_dir).path


def test_batch_translate_several_texts(
    es_en: Path, packages_dir: Path, make_engine: MakeEngine, spy: type[SpyTranslator]
) -> None:
    engine = make_engine(packages_dir, max_batch_size=2, length_bucket=1)
    texts = [
        "agua refugio. refugio abierto! El agua?",
        "refugio.\nagua agua.",
        "",
        "agua refugio.",  # a sentence seen before is translated once
    ]
    results = engine.translate(texts, "es", "en")
    assert [r.text for r in results] == [
        "water shelter. shelter open! El water?",
        "shelter.\nwater water.",
        "",
        "water shelter.",
    ]
    assert {(r.engine, r.model, r.pivot) for r in results} == {("argos", "es→en 1.0", False)}
    assert all(r.elapsed_ms > 0 for r in results)
    # Each distinct sentence went through once, in one call per token count (no padding),
    # all submitted together; CTranslate2 does the batching within a call.
    assert sum(count for count, _ in spy.calls) == 5
    assert all(len(lengths) == 1 for lengths in spy.lengths)
    assert len(spy.calls) == len({length for lengths in spy.lengths for length in lengths})
    _, options = spy.calls[0]
    assert options["asynchronous"] is True
    assert options["return_scores"] is True
    assert options["max_batch_size"] <= 2
    assert options["batch_type"] == "examples"
    assert options["beam_size"] == 4
    assert options["num_hypotheses"] == 1

    assert options["replace_unknowns"] is True
    assert options["length_penalty"] == 0.2
    assert options["target_prefix"] is None


def test_bucketed_calls_are_each_padded_to_their_bucket(
    es_en: Path, packages_dir: Path, make_engine: MakeEngine, spy: type[SpyTranslator]
) -> None:
    engine = make_engine(packages_dir, max_batch_size=3, length_bucket=4)
    texts = ["agua refugio. refugio abierto! El agua?", "refugio.\nagua agua.", "agua."]
    results = engine.translate(texts, "es", "en")
    assert [r.text for r in results] == [
        "water shelter. shelter open! El water?",
        "shelter.\nwater water.",
        "water.",
    ]
    for (count, options), lengths in zip(spy.calls, spy.lengths, strict=True):
        # One CTranslate2 batch per call, always as long as its bucket's upper end.
        assert options["max_batch_size"] == count <= 3
        assert max(lengths) % 4 == 0


def test_stable_calls_bucket_lengths_and_add_a_filler_only_when_needed() -> None:
    tokens = [["a"] * n for n in (3, 9, 16, 17, 5, 12, 10)]
    calls = stable_calls(tokens, bucket=8, batch=3)
    assert [own for own, _ in calls] == [[0, 4], [1, 2], [5, 6], [3]]
    lengths = [[len(t) for t in call] for _, call in calls]
    # 9–16 share a bucket: a call holding a 16-token sentence needs no filler, the others
    # get one of exactly the bucket's length, last (its output is dropped).
    assert lengths == [[3, 5, 8], [9, 16], [12, 10, 16], [17, 24]]
    assert calls[0][1][-1] == ["a"] * 8
    # Exact token counts (bucket 1): no filler, calls of up to ``batch``, evenly cut.
    exact = stable_calls([["a"] * 4] * 7, bucket=1, batch=3)
    assert [len(own) for own, _ in exact] == [3, 2, 2]
    assert all(len(call) == len(own) for own, call in exact)


def test_padded_batches_when_stability_is_traded_for_speed(
    es_en: Path, packages_dir: Path, make_engine: MakeEngine, spy: type[SpyTranslator]
) -> None:
    engine = make_engine(packages_dir, max_batch_size=8, stable_batches=False)
    results = engine.translate(["agua refugio. refugio abierto!", "agua."], "es", "en")
    assert [r.text for r in results] == ["water shelter. shelter open!", "water."]
    assert len(spy.calls) == 1  # one call; CTranslate2 pads within it
    assert len({length for lengths in spy.lengths for length in lengths}) > 1


def test_model_loads_once(
    es_en: Path, packages_dir: Path, make_engine: MakeEngine, spy: type[SpyTranslator]
) -> None:
    engine = make_engine(packages_dir)
    for _ in range(3):
        engine.translate(["agua."], "es", "en")
    assert spy.created == [str(es_en / "model")]
    assert engine.loaded() == ["es→en 1.0"]


def test_pivot_through_english(
    tiny: Tiny, es_en: Path, packages_dir: Path, make_engine: MakeEngine, spy: type[SpyTranslator]
) -> None:
    install(tiny("en", "vi", EN_VI), packages_dir)
    engine = make_engine(packages_dir, length_bucket=1)
    assert engine.pairs() == [("en", "vi"), ("es", "en")]
    assert [p.label for p in engine.route("es", "vi") or []] == ["es→en 1.0", "en→vi 1.0"]
    results = engine.translate(["agua refugio. Abierto?", "refugio abierto."], "es", "vi")
    assert [r.text for r in results] == ["nuoc noi-tru-an. Abierto?", "noi-tru-an mo."]
    assert {(r.model, r.pivot) for r in results} == {("es→en 1.0 + en→vi 1.0", True)}
    # Three sentences per hop, each hop in calls of one token count each.
    assert sum(count for count, _ in spy.calls) == 6
    assert all(len(lengths) == 1 for lengths in spy.lengths)


def test_no_route(es_en: Path, packages_dir: Path, make_engine: MakeEngine) -> None:
    engine = make_engine(packages_dir)
    assert engine.route("es", "vi") is None
    assert not engine.can_translate("ja", "en")
    assert engine.can_translate("es", "en")
    with pytest.raises(NoRouteError, match="es→vi"):
        engine.translate(["agua"], "es", "vi")


def test_same_language_is_identity(packages_dir: Path, make_engine: MakeEngine) -> None:
    [result] = make_engine(packages_dir).translate(["Hola.  Adiós."], "es", "es")
    assert (result.text, result.model, result.pivot) == ("Hola.  Adiós.", "identity", False)


def test_cjk_target_joins_without_spaces(
    tiny: Tiny, packages_dir: Path, make_engine: MakeEngine
) -> None:
    install(tiny("en", "ja", {"water": "水", "shelter": "避難所"}), packages_dir)
    [result] = make_engine(packages_dir).translate(["water. shelter!"], "en", "ja")
    assert result.text == "水.避難所!"


def test_lru_keeps_at_most_max_loaded_models(
    tiny: Tiny, es_en: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    install(tiny("en", "vi", EN_VI), packages_dir)
    engine = make_engine(packages_dir, max_loaded_models=1)
    engine.translate(["agua"], "es", "en")
    engine.translate(["water"], "en", "vi")
    assert engine.loaded() == ["en→vi 1.0"]
    assert engine.translate(["agua"], "es", "vi")[0].text == "nuoc"
    assert engine.loaded() == ["en→vi 1.0"]
    engine.unload()
    assert engine.loaded() == []


def test_engine_sees_installs_and_upgrades(
    tiny: Tiny, packages_dir: Path, make_engine: MakeEngine
) -> None:
    engine = make_engine(packages_dir)
    assert engine.pairs() == []
    install(tiny("es", "en", {"agua": "water"}), packages_dir)
    assert engine.translate(["agua"], "es", "en")[0].text == "water"
    install(tiny("es", "en", {"agua": "H2O"}, package_version="1.1"), packages_dir)
    [result] = engine.translate(["agua"], "es", "en")
    assert (result.text, result.model) == ("H2O", "es→en 1.1")
    remove(packages_dir, "es", "en")
    assert not engine.can_translate("es", "en")


def test_underscores_follow_argos_unless_the_source_has_them(
    tiny: Tiny, packages_dir: Path, make_engine: MakeEngine
) -> None:
    install(tiny("es", "en", {"agua": "drinking_water"}), packages_dir)
    engine = make_engine(packages_dir)
    texts = ["agua.", "agua TEL_1."]
    assert [r.text for r in engine.translate(texts, "es", "en")] == [
        "drinking water.",
        "drinking_water TEL_1.",
    ]


def test_threads_share_one_load(
    es_en: Path, packages_dir: Path, make_engine: MakeEngine, spy: type[SpyTranslator]
) -> None:
    engine = make_engine(packages_dir)
    outputs: list[str] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        outputs.append(engine.translate(["agua refugio."], "es", "en")[0].text)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outputs == ["water shelter."] * 4
    assert len(spy.created) == 1


def test_automatic_threads_share_the_cores_in_one_pool_or_among_the_drains_replicas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.core import config
    from translations import machine
    from translations.mt import engine

    monkeypatch.setattr(engine, "cores", lambda: 8)
    monkeypatch.setattr(machine, "cores", lambda: 8)
    app = config.defaults() | {"ARGOS_PACKAGES_DIR": str(tmp_path)}
    assert (app["MT_INTER_THREADS"], app["MT_DRAINS_PER_WORKER"], app["MT_INTRA_THREADS"]) == (
        1,
        2,
        0,
    )
    # By default every model call runs in one pool of a thread per core, a replica per thread.
    assert app["MT_POOL_THREADS"] == "auto"
    pooled = machine.settings(app)
    assert (pooled.pool_threads, pooled.inter_threads, pooled.intra_threads) == (8, 8, 1)
    pooled = machine.settings(app | {"MT_POOL_THREADS": "4"})
    assert (pooled.pool_threads, pooled.inter_threads, pooled.intra_threads) == (4, 4, 2)
    assert machine.settings(app | {"MT_DEVICE": "cuda"}).pool_threads == 0  # a GPU: no pool
    # More replicas than pool threads: still only the pool's threads call at once.
    wide = machine.settings(app | {"MT_POOL_THREADS": "2", "MT_INTER_THREADS": 8})
    assert (wide.pool_threads, wide.inter_threads, wide.intra_threads) == (2, 8, 4)
    direct = engine.EngineSettings(tmp_path, pool_threads=2, inter_threads=8)
    assert direct.intra_threads == 4  # 8 cores ÷ 2 pool threads, not ÷ 8 replicas
    for wrong in ("lots", "-1"):
        with pytest.raises(ValueError, match="TAGENGO_MT_POOL_THREADS"):
            config.normalize({"MT_POOL_THREADS": wrong})
    # Without the pool, the drains' replicas share the cores.
    own = app | {"MT_POOL_THREADS": "0"}
    assert machine.settings(own).pool_threads == 0
    assert machine.settings(own).intra_threads == 4  # 8 cores ÷ (1 replica × 2 drains)
    assert machine.settings(own | {"MT_INTER_THREADS": 2}).intra_threads == 2
    assert machine.settings(own | {"MT_DRAINS_PER_WORKER": 16}).intra_threads == 1  # never 0
    assert machine.settings(own | {"MT_INTRA_THREADS": 3}).intra_threads == 3  # as set


class GatedTranslator(SpyTranslator):
    """A spy whose first two calls each wait until the other has started (a barrier)."""

    barrier: ClassVar[threading.Barrier] = threading.Barrier(2)
    threads: ClassVar[list[str]] = []
    options: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, model_path: str, **kwargs: Any) -> None:
        GatedTranslator.options.append(kwargs)
        super().__init__(model_path, **kwargs)

    def translate_batch(self, tokens: list[list[str]], **kwargs: Any) -> Any:
        GatedTranslator.threads.append(threading.current_thread().name)
        if len(GatedTranslator.threads) <= 2:
            GatedTranslator.barrier.wait()  # raises BrokenBarrierError if they ran one by one
        return super().translate_batch(tokens, **kwargs)


def test_a_pool_runs_one_drains_calls_on_every_core_with_the_same_output(
    es_en: Path, packages_dir: Path, make_engine: MakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["agua. refugio abierto! agua agua refugio?", "refugio refugio refugio refugio."]
    alone = [
        r.text for r in make_engine(packages_dir, length_bucket=1).translate(texts, "es", "en")
    ]
    monkeypatch.setattr(GatedTranslator, "barrier", threading.Barrier(2, timeout=10))
    monkeypatch.setattr(GatedTranslator, "threads", [])
    monkeypatch.setattr(GatedTranslator, "options", [])
    monkeypatch.setattr(ctranslate2, "Translator", GatedTranslator)
    engine = make_engine(packages_dir, length_bucket=1, pool_threads=2)
    assert engine.settings.inter_threads == 2  # raised: a pool thread never waits for a replica
    pooled = [r.text for r in engine.translate(texts, "es", "en")]
    # A call per token count: the first two ran at once (the barrier let them through only
    # together), on two of the pool's threads, and the words are the same as without a pool.
    assert pooled == alone
    assert len(GatedTranslator.threads) >= 2
    assert len(set(GatedTranslator.threads[:2])) == 2
    assert all(name.startswith("mt-call") for name in GatedTranslator.threads)
    assert GatedTranslator.options[0]["inter_threads"] == 2
    with pytest.raises(ValueError, match="pool_threads"):
        EngineSettings(packages_dir, pool_threads=-1)


def test_settings_defaults_and_checks(tmp_path: Path) -> None:
    settings = EngineSettings(tmp_path, inter_threads=2)
    assert settings.intra_threads >= 1
    assert (settings.beam_size, settings.max_batch_size, settings.max_loaded_models) == (4, 32, 4)
    assert EngineSettings(tmp_path, intra_threads=3).intra_threads == 3
    with pytest.raises(ValueError, match="inter_threads"):
        EngineSettings(tmp_path, inter_threads=0)
    with pytest.raises(ValueError, match="max_loaded_models"):
        EngineSettings(tmp_path, max_loaded_models=0)
