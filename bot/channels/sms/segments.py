"""Count SMS segments the way carriers bill them.

A message is GSM-7 when every character is in the GSM 03.38 basic set or its extension
table; then one SMS holds 160 septets, and a long message is split into parts of 153
(7 septets go to the concatenation header). One character outside GSM-7 — any Cyrillic
letter, a typographic dash, an emoji — switches the whole message to UCS-2: 70 UTF-16
code units in one SMS, 67 per part. Extension characters take two septets (escape + char)
and an emoji two code units (a surrogate pair); neither pair is ever split across parts,
so the parts are packed greedily rather than divided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# GSM 03.38 basic character set (the escape code itself is not a character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs an escape septet plus its own.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def non_gsm7_characters(text: str) -> set[str]:
    """What forces `text` into UCS-2 (handy in an assertion message)."""
    return {char for char in text if char not in GSM7_BASIC and char not in GSM7_EXTENSION}


def count_segments(text: str) -> SegmentCount:
    if is_gsm7(text):
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in text]
        encoding: Encoding = "GSM-7"
        single, part = GSM7_SINGLE, GSM7_PART
    else:
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
        encoding = "UCS-2"
        single, part = UCS2_SINGLE, UCS2_PART
    units = sum(sizes)
    if units <= single:
        return SegmentCount(encoding, units, 1)
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments += 1
            used = 0
        used += size
    return SegmentCount(encoding, units, segments)
