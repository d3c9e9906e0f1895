"""Translate HTML by its text: split a fragment into tags and text runs, put it back together.

Tags, attributes, comments and the contents of ``<script>``/``<style>`` pass through as they
came; only text runs are translated, and a translated run is escaped before it goes back in,
so machine output can never become markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

RAW = ("script", "style")


@dataclass
class Fragment:
    """A fragment as parts (markup kept verbatim, text to translate) in document order."""

    parts: list[str] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)  # part index -> text to translate

    def join(self, translated: list[str]) -> str:
        """Rebuild the fragment with ``translated`` in place of its texts, in order."""
        out = list(self.parts)
        for index, text in zip(self.texts, translated, strict=True):
            out[index] = html.escape(text, quote=False)
        return "".join(out)


class _Splitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fragment = Fragment()
        self._raw: str | None = None

    def _keep(self, markup: str) -> None:
        self.fragment.parts.append(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._keep(self.get_starttag_text() or f"<{tag}>")
        if tag in RAW:
            self._raw = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._keep(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        self._keep(f"</{tag}>")
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._keep(data)  # script and style text is not language
            return
        if not data.strip():
            self._keep(data)
            return
        # Keep the surrounding white space out of the model: it decides the layout.
        lead = data[: len(data) - len(data.lstrip())]
        trail = data[len(data.rstrip()) :]
        self._keep(html.escape(lead, quote=False))
        self.fragment.texts[len(self.fragment.parts)] = data.strip()
        self.fragment.parts.append("")
        self._keep(html.escape(trail, quote=False))

    def handle_comment(self, data: str) -> None:
        self._keep(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._keep(f"<!{decl}>")


def split(markup: str) -> Fragment:
    """Split an HTML fragment into markup and the texts to translate."""
    splitter = _Splitter()
    splitter.feed(markup)
    splitter.close()
    return splitter.fragment
