"""Tiny but valid PNG and JPEG images, encoded in code (no image library needed)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

# Standard JPEG luminance DC table (ITU T.81 Annex K.3): code lengths and symbols.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALS = tuple(range(12))
# Every AC coefficient is zero (flat 8x8 blocks): only end-of-block is ever written.
_AC_BITS = (0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_AC_VALS = (0x00, 0x01)


def png_rgb(pixels: Sequence[Sequence[tuple[int, int, int]]]) -> bytes:
    """Encode rows of (r, g, b) pixels as an 8-bit RGB PNG."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def jpeg_gray_blocks(levels: Sequence[Sequence[int]]) -> bytes:
    """Encode a grayscale baseline JPEG made of flat 8x8 blocks of the given levels (0-255)."""
    height, width = len(levels) * 8, len(levels[0]) * 8

    def segment(marker: int, data: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(data) + 2) + data

    out = bytearray(b"\xff\xd8")
    out += segment(0xE0, b"JFIF\x00\x01\x01\x00" + struct.pack(">HH", 1, 1) + b"\x00\x00")
    out += segment(0xDB, bytes([0, 8] + [16] * 63))
    out += segment(0xC0, bytes([8]) + struct.pack(">HH", height, width) + bytes([1, 1, 0x11, 0]))
    out += segment(0xC4, bytes([0x00, *_DC_BITS, *_DC_VALS]))
    out += segment(0xC4, bytes([0x10, *_AC_BITS, *_AC_VALS]))
    out += segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    out += _entropy(levels)
    out += b"\xff\xd9"
    return bytes(out)


def _huffman_codes(bits: Sequence[int], vals: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Canonical Huffman codes: symbol -> (code, length)."""
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


def _entropy(levels: Sequence[Sequence[int]]) -> bytes:
    """The entropy-coded scan: DC differences (quantiser 8) and an end-of-block per block."""
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALS)
    eob = _huffman_codes(_AC_BITS, _AC_VALS)[0x00]
    acc, nbits = 0, 0
    out = bytearray()

    def put(value: int, length: int) -> None:
        nonlocal acc, nbits
        acc = (acc << length) | (value & ((1 << length) - 1))
        nbits += length
        while nbits >= 8:
            nbits -= 8
            byte = (acc >> nbits) & 0xFF
            out.append(byte)
            if byte == 0xFF:
                out.append(0x00)

    previous = 0
    for row in levels:
        for level in row:
            dc = max(0, min(255, level)) - 128
            diff, previous = dc - previous, dc
            size = abs(diff).bit_length()
            put(*dc_codes[size])
            if size:
                put(diff if diff > 0 else diff + (1 << size) - 1, size)
            put(*eob)
    if nbits:
        put((1 << (8 - nbits)) - 1, 8 - nbits)
    return bytes(out)


def cover_photo(seed: int, width_blocks: int = 12, height_blocks: int = 8) -> bytes:
    """A deterministic 'photo' JPEG (a blocky horizon) that differs with `seed`."""
    levels = [
        [
            (200 - 12 * y + 7 * ((x * seed + y) % 5)) if y < height_blocks // 2 else 70 + 9 * y
            for x in range(width_blocks)
        ]
        for y in range(height_blocks)
    ]
    return jpeg_gray_blocks(levels)


def chart_png(values: Sequence[int], height: int = 24) -> bytes:
    """A deterministic bar-chart PNG: one 4-pixel-wide bar per value (0..height)."""
    width = 4 * len(values)
    rows = []
    for y in range(height):
        row = []
        for x in range(width):
            filled = height - y <= values[x // 4] and x % 4 != 3
            row.append((30, 90, 160) if filled else (245, 245, 240))
        rows.append(row)
    return png_rgb(rows)
