"""Regenerate the vendored document fonts from Debian's fonts-noto-cjk (SIL OFL 1.1).

    apt-get install fonts-noto-cjk        # 1:20220127+repack1-1 on Debian 12
    python src/jiuzhu/web/documents/fonts/subset_fonts.py

Writes ``NotoSerifSC-Regular.subset.otf`` (the body text) and ``NotoSansSC-Bold.subset.otf``
(titles, headings, emphasis) beside this script: the Simplified Chinese faces of the Noto CJK
collections, cut down with fontTools to the characters the documents need (``RANGES``), without
hinting, vertical metrics or OpenType features other than kerning, ligatures and proportional
punctuation, so that the repository carries about 12 MB instead of 46 MB. WeasyPrint embeds a
further subset (only the glyphs used) in each PDF. Takes about three minutes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto")
HERE = Path(__file__).resolve().parent
SIMPLIFIED_CHINESE = 2
"""Index of the SC face in the Noto CJK collections (JP, KR, SC, TC, HK)."""

FONTS = {
    "NotoSerifCJK-Regular.ttc": "NotoSerifSC-Regular.subset.otf",
    "NotoSansCJK-Bold.ttc": "NotoSansSC-Bold.subset.otf",
}

RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 (·, ×, °)
    (0x2000, 0x206F),  # General Punctuation (—, …, “ ”)
    (0x2460, 0x24FF),  # Enclosed Alphanumerics (①)
    (0x25A0, 0x25FF),  # Geometric Shapes (□ ■ ○ for forms)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation (、。〔〕《》「」〇)
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms (，：；（）０-９)
)


def codepoints() -> list[int]:
    return [point for first, last in RANGES for point in range(first, last + 1)]


def make(source: Path, target: Path) -> int:
    """Subset the SC face of ``source`` into ``target``; returns its size in bytes."""
    font = TTCollection(str(source)).fonts[SIMPLIFIED_CHINESE]
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["kern", "liga", "palt"]
    options.notdef_outline = True
    options.name_IDs = ["*"]  # keep the copyright, licence and version records
    options.drop_tables += ["VORG", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(font)
    font.save(str(target))
    return target.stat().st_size


def main() -> None:
    for name, output in FONTS.items():
        size = make(SOURCE / name, HERE / output)
        sys.stdout.write(f"{output}: {size / 1e6:.1f} MB\n")


if __name__ == "__main__":
    main()
