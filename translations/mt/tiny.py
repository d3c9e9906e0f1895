"""Build a tiny but real Argos package whose translations are known in advance.

The model is a one-layer, one-head CTranslate2 Transformer whose weights are set by hand: the
decoder at step t attends to source position t and emits that token's gloss, so "water
shelter." with ``{"water": "mizu"}`` becomes "mizu shelter.". It needs no torch and no
network, builds in milliseconds and zips to a few tens of kB, which lets tests and demos run
the real install → load → translate path without a pretrained model.
"""

from __future__ import annotations

import io
import json
import string
import tempfile
import zipfile
from pathlib import Path

import ctranslate2
import numpy as np
import sentencepiece as spm
from ctranslate2.converters import Converter
from ctranslate2.specs import transformer_spec

from translations.mt import multilingual
from translations.mt.sentences import family

_BITS = 10  # positions 0..1023, CTranslate2's default max_input_length
_LOGIT = 50.0  # margin that makes every step a certain choice, whatever the beam
_EXTRA_CHARS = "。、！？「」（）・ー０１２３４５６７８９"
_NO_SPACE = {"cjk", "thai", "burmese"}


def build_tiny_package(
    dest: Path,
    from_code: str,
    to_code: str,
    glossary: dict[str, str],
    *,
    package_version: str = "1.0",
) -> Path:
    """Write a deterministic glossing ``.argosmodel`` into ``dest`` (a folder or file path)."""
    for word in [*glossary, *glossary.values()]:
        if not word or any(ch.isspace() for ch in word):
            raise ValueError(f"glossary entries must be single words, got {word!r}")
    name = f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    target = dest if dest.suffix == ".argosmodel" else dest / f"{name}.argosmodel"
    target.parent.mkdir(parents=True, exist_ok=True)
    sp_bytes = _train_sentencepiece(from_code, to_code, glossary)
    processor = spm.SentencePieceProcessor(model_proto=sp_bytes)
    metadata = {
        "package_version": package_version,
        "argos_version": "1.9.0",
        "from_code": from_code,
        "from_name": from_code,
        "to_code": to_code,
        "to_name": to_code,
        "type": "translate",
    }
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        gloss = _gloss_ids(processor, glossary, from_code, to_code)
        _GlossConverter(_copy_spec(processor, gloss)).convert(str(model_dir))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            zf.writestr(f"{name}/metadata.json", json.dumps(metadata, indent=2))
            zf.writestr(f"{name}/sentencepiece.model", sp_bytes)
            zf.writestr(f"{name}/README.md", "Synthetic glossing package built by Tagengo.\n")
            for file in sorted(model_dir.iterdir()):
                zf.write(file, f"{name}/model/{file.name}")
    return target


# Where each folder layout keeps its SentencePiece model(s) (see translations.mt.folders).
FOLDER_LAYOUTS: dict[str, tuple[str, ...]] = {
    "marian": ("source.spm", "target.spm"),
    "quickmt": ("src.spm.model", "tgt.spm.model"),
    "single": ("sentencepiece.model",),
}


def build_tiny_folder(
    dest: Path, from_code: str, to_code: str, glossary: dict[str, str], layout: str = "marian"
) -> Path:
    """Write a glossing CTranslate2 model folder in one of FOLDER_LAYOUTS into ``dest``."""
    for word in [*glossary, *glossary.values()]:
        if not word or any(ch.isspace() for ch in word):
            raise ValueError(f"glossary entries must be single words, got {word!r}")
    sp_bytes = _train_sentencepiece(from_code, to_code, glossary)
    processor = spm.SentencePieceProcessor(model_proto=sp_bytes)
    gloss = _gloss_ids(processor, glossary, from_code, to_code)
    _GlossConverter(_copy_spec(processor, gloss)).convert(str(dest))
    for name in FOLDER_LAYOUTS[layout]:
        (dest / name).write_bytes(sp_bytes)
    return dest


def build_tiny_multilingual(
    dest: Path, flavour: str, languages: list[str], glossary: dict[str, str]
) -> Path:
    """Write a glossing NLLB- or M2M-100-style folder (``sentencepiece.bpe.model``) to ``dest``.

    Its vocabulary holds the language tokens of ``languages`` (Argos codes) and it expects
    what such models expect: the source language's token first and ``</s>`` last, which
    CTranslate2 does not add (its config says so), and the target language's token forced as
    the first output. The gloss ignores the target language: the copy at step t is of source
    token t, so a missing source token shifts the output and an unforced target token shows.
    """
    tokens = [multilingual.token(flavour, code) for code in languages]
    sp_bytes = _train_sentencepiece(languages[0], languages[-1], glossary, extra=tokens)
    processor = spm.SentencePieceProcessor(model_proto=sp_bytes)
    gloss = _gloss_ids(processor, glossary, languages[0], languages[-1])
    _GlossConverter(_copy_spec(processor, gloss, add_source_eos=False)).convert(str(dest))
    (dest / "sentencepiece.bpe.model").write_bytes(sp_bytes)
    return dest


class _GlossConverter(Converter):  # type: ignore[misc]  # ctranslate2 ships no types
    """Hand a ready-made spec to CTranslate2's converter, which validates and saves it."""

    def __init__(self, spec: transformer_spec.TransformerSpec) -> None:
        self._spec = spec

    def _load(self) -> transformer_spec.TransformerSpec:
        return self._spec


def _symbol(word: str, lang: str) -> str:
    """Return the piece for a word: word-initial (▁) except in scripts without spaces."""
    return word if family(lang) in _NO_SPACE else "\u2581" + word


def _train_sentencepiece(
    from_code: str, to_code: str, glossary: dict[str, str], extra: list[str] | None = None
) -> bytes:
    """Train a character model that keeps every glossary word (and ``extra``) as one piece."""
    symbols = [_symbol(w, from_code) for w in glossary]
    symbols += [_symbol(w, to_code) for w in glossary.values()] + (extra or [])
    words = " ".join([*glossary, *glossary.values()])
    alphabet = string.ascii_letters + string.digits + string.punctuation + _EXTRA_CHARS
    lines = [alphabet, words] * 100
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type="char",
        vocab_size=4096,
        hard_vocab_limit=False,
        user_defined_symbols=list(dict.fromkeys(symbols)),
        character_coverage=1.0,
        normalization_rule_name="identity",
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def _gloss_ids(
    processor: spm.SentencePieceProcessor, glossary: dict[str, str], from_code: str, to_code: str
) -> np.ndarray:
    """Return, for every piece id, the id it translates to (itself unless glossed)."""
    gloss = np.arange(processor.get_piece_size())
    for word, meaning in glossary.items():
        source = processor.piece_to_id(_symbol(word, from_code))
        gloss[source] = processor.piece_to_id(_symbol(meaning, to_code))
    return gloss


def _copy_spec(
    processor: spm.SentencePieceProcessor, gloss: np.ndarray, *, add_source_eos: bool = True
) -> transformer_spec.TransformerSpec:
    """Return a Transformer whose decoder step t emits the gloss of source token t.

    Residual layout: [token one-hot | copied token | cos, sin, -cos, -sin of the position].
    Positions use periods 2, 4, …, 1024, so two different positions always differ by at
    least 2 in the dot product; the mirrored half keeps every vector at mean 0 and a fixed
    norm, which turns the layer norm in front of the attention into a known scalar.
    """
    size = processor.get_piece_size()
    tok, copy, pos = 0, size, 2 * size
    depth = 2 * size + 4 * _BITS
    angles = np.arange(1 << _BITS)[:, None] * (2 * np.pi / 2.0 ** np.arange(1, _BITS + 1))
    positions = np.zeros((1 << _BITS, depth), np.float32)
    for k, block in enumerate([np.cos(angles), np.sin(angles), -np.cos(angles), -np.sin(angles)]):
        positions[:, pos + k * _BITS : pos + (k + 1) * _BITS] = block

    spec = transformer_spec.TransformerSpec.from_config(1, 1, no_final_norm=True)
    encoder, decoder = spec.encoder, spec.decoder
    embeddings = np.zeros((size, depth), np.float32)
    embeddings[:, tok:copy] = np.eye(size) - 1.0 / size
    encoder.embeddings[0].weight = embeddings
    decoder.embeddings.weight = np.zeros((size, depth), np.float32)
    for stack in (encoder, decoder):
        stack.scale_embeddings = False
        stack.position_encodings.encodings = positions
        _silence(stack.layer[0], depth)

    attention = decoder.layer[0].attention
    _identity_norm(attention.layer_norm, depth)
    sharpness = 20 * np.sqrt(depth) * np.sqrt(2 * _BITS / depth)  # undo the layer norm
    query = np.zeros((depth, depth), np.float32)
    query[pos : pos + 2 * _BITS, pos : pos + 2 * _BITS] = np.eye(2 * _BITS) * sharpness
    key_value = np.zeros((2 * depth, depth), np.float32)
    key_value[pos : pos + 2 * _BITS, pos : pos + 2 * _BITS] = np.eye(2 * _BITS)
    key_value[depth + copy : depth + copy + size, tok:copy] = np.eye(size)
    out = np.zeros((depth, depth), np.float32)
    out[copy : copy + size, copy : copy + size] = np.eye(size)
    attention.linear[0].weight = query
    attention.linear[1].weight = key_value
    attention.linear[2].weight = out

    projection = np.zeros((size, depth), np.float32)
    projection[gloss, copy + np.arange(size)] = _LOGIT
    decoder.projection.weight = projection
    vocabulary = [processor.id_to_piece(i) for i in range(size)]
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    # The copied </s> ends the output exactly where the source ends (added by CTranslate2,
    # or by the caller as many-to-many models expect).
    spec.config.add_source_eos = add_source_eos
    return spec


def _silence(layer: ctranslate2.specs.LayerSpec, depth: int) -> None:
    """Zero a layer's self-attention and feed-forward so they add nothing to the residual."""
    _identity_norm(layer.self_attention.layer_norm, depth)
    layer.self_attention.linear[0].weight = np.zeros((3 * depth, depth), np.float32)
    layer.self_attention.linear[1].weight = np.zeros((depth, depth), np.float32)
    _identity_norm(layer.ffn.layer_norm, depth)
    layer.ffn.linear_0.weight = np.zeros((1, depth), np.float32)
    layer.ffn.linear_1.weight = np.zeros((depth, 1), np.float32)


def _identity_norm(norm: ctranslate2.specs.LayerSpec, depth: int) -> None:
    """Set a layer norm to plain normalisation (gain 1, bias 0)."""
    norm.gamma = np.ones(depth, np.float32)
    norm.beta = np.zeros(depth, np.float32)
