"""Start LibreTranslate with no network: run with LibreTranslate's own Python, its CLI flags.

argostranslate splits sentences with MiniSBD, whose ``.onnx`` model is downloaded from
GitHub on the first translation unless the installed package has a ``minisbd/`` folder.
With ``--rule-splitter`` the splitter is replaced by one regular expression (cut after
。！？!?), so the benchmark runs where neither the download nor the file is available; every
benchmark request is one sentence, so both splitters hand CTranslate2 the same input.
"""

from __future__ import annotations

import re
import sys

_CUT = re.compile(r"(?<=[。！？!?])\s*")


def _split(self: object, text: str) -> list[str]:
    return [part for part in _CUT.split(text) if part.strip()] or [text]


def main() -> None:
    """Patch the splitter when asked, then hand the remaining arguments to LibreTranslate."""
    if "--rule-splitter" in sys.argv:
        sys.argv.remove("--rule-splitter")
        from argostranslate import sbd

        sbd.MiniSBDSentencizer.split_sentences = _split  # type: ignore[method-assign]
    from libretranslate.main import main as libretranslate_main

    libretranslate_main()


if __name__ == "__main__":
    main()
