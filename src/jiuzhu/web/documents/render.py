"""One template per document, rendered two ways: inside the site's print page (HTML) and as a
PDF (WeasyPrint) with the vendored fonts embedded, so that the PDF never depends on the fonts
installed on the server.

The document's own text is Chinese, the record's language, whatever the user's language: the
body is rendered with the record's language active (``jiuzhu.web.audit.texts``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from jiuzhu.web.audit.texts import record_language

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
SERIF = FONTS / "NotoSerifSC-Regular.subset.otf"
SANS_BOLD = FONTS / "NotoSansSC-Bold.subset.otf"
STYLESHEET = HERE / "static" / "documents" / "document.css"

FONT_FACES = f"""
@font-face {{ font-family: "Jiuzhu Serif"; font-weight: normal; src: url("{SERIF.as_uri()}"); }}
@font-face {{ font-family: "Jiuzhu Sans"; font-weight: bold; src: url("{SANS_BOLD.as_uri()}"); }}
.document {{ font-family: "Jiuzhu Serif"; }}
.document h1, .document h2, .document strong, .document th {{
  font-family: "Jiuzhu Sans"; font-weight: bold;
}}
"""
"""The PDF's fonts: the vendored subsets only (README.md in ``fonts/`` says where they come
from and how to regenerate them)."""


def body(kind: str, doc: dict[str, object], *, draft: bool = False) -> SafeString:
    """The document's HTML (``documents/doc/<kind>.html``), in Chinese. ``draft`` marks a
    numbered notice not yet issued (样稿, no number)."""
    with record_language():
        # The template escapes every value; the result is the template's own markup.
        return mark_safe(
            render_to_string(f"documents/doc/{kind}.html", {"doc": doc, "draft": draft})
        )


def _fetcher() -> Any:
    """A URL fetcher that reads the vendored fonts and nothing else: a document never reaches
    the network or another local file, whatever its text holds."""
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 — loads Pango on first use

    class FontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            allowed = {SERIF.as_uri(), SANS_BOLD.as_uri()}
            if url not in allowed:
                raise ValueError(f"not a vendored font: {url[:80]}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols={"file"})


def pdf(kind: str, doc: dict[str, object], *, draft: bool = False) -> bytes:
    """The document as an A4 PDF with the vendored fonts embedded (subset)."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 — loads Pango on first use
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    html = render_to_string(
        "documents/pdf.html", {"body": body(kind, doc, draft=draft), "doc": doc}
    )
    fonts = FontConfiguration()
    fetcher = _fetcher()
    stylesheets = [
        CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher),
        CSS(string=FONT_FACES, font_config=fonts, url_fetcher=fetcher),
    ]
    result = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )
    return bytes(result)
