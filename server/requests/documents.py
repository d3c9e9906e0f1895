"""Read a requester's `.txt` or `.docx` file into text, and write a translation as `.docx`.

A `.docx` is a zip of XML parts; only ``word/document.xml`` is read, with defusedxml (no
entities, no external references). Sizes are checked before anything is inflated: the
file's own size, then every entry's declared uncompressed size, then the bytes actually
read — a zip bomb is refused, never unpacked.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from defusedxml import ElementTree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCUMENT = "word/document.xml"
MAX_ENTRIES = 2000


class DocumentError(ValueError):
    """A file that cannot be used; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_upload(filename: str, data: bytes, max_bytes: int, max_unzipped: int) -> str:
    """Return the text of an uploaded `.txt` or `.docx` file, or raise DocumentError."""
    if len(data) > max_bytes:
        raise DocumentError("too_large", f"the file is larger than {max_bytes} bytes")
    name = filename.lower()
    if name.endswith(".txt"):
        return _read_txt(data)
    if name.endswith(".docx"):
        return read_docx(data, max_unzipped)
    if name.endswith(".doc"):
        raise DocumentError("unsupported_file", "old .doc files cannot be read: save as .docx")
    raise DocumentError("unsupported_file", "send a .txt or .docx file")


def _read_txt(data: bytes) -> str:
    # Windows Notepad in Japan often saves Shift_JIS (cp932); UTF-8 is tried first.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text.replace("\r\n", "\n").strip()
    raise DocumentError("not_text", "the .txt file is not UTF-8 or Shift_JIS text")


def read_docx(data: bytes, max_unzipped: int) -> str:
    """Return the paragraphs of a `.docx`, one per line."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError("not_docx", "the file is not a .docx (Word) document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise DocumentError("zip_bomb", "the .docx holds too many parts")
            if sum(entry.file_size for entry in entries) > max_unzipped:
                raise DocumentError(
                    "zip_bomb", f"the .docx unpacks to more than {max_unzipped} bytes"
                )
            if DOCUMENT not in archive.namelist():
                raise DocumentError("not_docx", "the file is a zip but not a Word document")
            with archive.open(DOCUMENT) as part:
                xml = part.read(max_unzipped + 1)  # a lying size header stops here too
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise DocumentError("not_docx", f"the .docx cannot be opened: {exc}") from None
    if len(xml) > max_unzipped:
        raise DocumentError("zip_bomb", f"the .docx unpacks to more than {max_unzipped} bytes")
    return _paragraphs(xml)


def _paragraphs(xml: bytes) -> str:
    try:
        root = ElementTree.fromstring(xml)
    except Exception:  # defusedxml's refusals and plain parse errors alike
        raise DocumentError("not_docx", "the Word document's text cannot be read") from None
    lines = []
    for paragraph in root.iter(W + "p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == W + "t":
                parts.append(node.text or "")
            elif node.tag == W + "tab":
                parts.append("\t")
            elif node.tag in (W + "br", W + "cr"):
                parts.append("\n")
        lines.append("".join(parts))
    text = "\n".join(lines).strip()
    if not text:
        raise DocumentError("empty", "the Word document has no text")
    return text


def _printable(line: str) -> str:
    # XML 1.0 has no place for control characters; a stray one would break the file.
    return "".join(ch for ch in line if ch >= " " or ch == "\t")


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def write_docx(text: str, lang: str, rtl: bool = False) -> bytes:
    """Build a minimal Word document holding ``text``, one paragraph per line."""
    props = f'<w:rPr><w:lang w:val="{escape(lang)}"/>{"<w:rtl/>" if rtl else ""}</w:rPr>'
    ppr = "<w:pPr><w:bidi/></w:pPr>" if rtl else ""
    body = "".join(
        f'<w:p>{ppr}<w:r>{props}<w:t xml:space="preserve">{escape(_printable(line))}</w:t>'
        "</w:r></w:p>"
        for line in text.split("\n")
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr(DOCUMENT, document)
    return out.getvalue()
