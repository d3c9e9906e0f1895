"""HTML is translated by its text runs; markup passes through and output is always escaped."""

from __future__ import annotations

from server.translation import markup


def test_text_runs_are_split_out_and_put_back() -> None:
    fragment = markup.split('<p class="x">agua <b>refugio</b></p>\n<!-- note -->')
    assert list(fragment.texts.values()) == ["agua", "refugio"]
    assert fragment.join(["water", "shelter"]) == (
        '<p class="x">water <b>shelter</b></p>\n<!-- note -->'
    )


def test_script_and_style_are_not_translated_and_machine_output_stays_text() -> None:
    fragment = markup.split("<style>p{}</style><script>x()</script><p>agua &amp; pan</p>")
    assert list(fragment.texts.values()) == ["agua & pan"]
    joined = fragment.join(["<img src=x onerror=alert(1)> & bread"])
    assert joined.endswith("<p>&lt;img src=x onerror=alert(1)&gt; &amp; bread</p>")
    assert joined.startswith("<style>p{}</style><script>x()</script>")
