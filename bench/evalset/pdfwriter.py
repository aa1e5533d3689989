"""A minimal PDF writer for the evaluation set: Helvetica pages with a running head and foot."""

from __future__ import annotations

import textwrap
import zlib

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN, LEADING, SIZE = 64, 19, 12
BOTTOM = 400  # the lower part of each page is left to figures and notes


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _layout(title: str, paragraphs: list[str]) -> list[list[tuple[int, str, int]]]:
    """Lines as (y, text, size) per page; paragraphs are separated by an empty line."""
    pages: list[list[tuple[int, str, int]]] = [[]]
    y = PAGE_H - MARGIN - 40
    for line in textwrap.wrap(title, 60):
        pages[-1].append((y, line, 16))
        y -= 22
    y -= 10
    for para in paragraphs:
        lines = textwrap.wrap(para, 78)
        for line in lines:
            if y < BOTTOM:
                pages.append([])
                y = PAGE_H - MARGIN - 40
            pages[-1].append((y, line, SIZE))
            y -= LEADING
        y -= LEADING // 2 + 4
    return pages


def make_pdf(title: str, author: str, date: str, head: str, paragraphs: list[str]) -> bytes:
    """Build a PDF whose pages carry the text, a running head and a 'Page n of N' foot."""
    pages = _layout(title, paragraphs)
    objects: list[bytes] = []
    font_id, pages_id = 3, 2
    page_ids = []
    for number, lines in enumerate(pages, 1):
        ops = [b"BT /F1 8 Tf", f"{MARGIN} {PAGE_H - 40} Td".encode(), _pdf_string(head) + b" Tj ET"]
        for y, text, size in lines:
            ops.append(
                f"BT /F1 {size} Tf {MARGIN} {y} Td ".encode() + _pdf_string(text) + b" Tj ET"
            )
        foot = f"Page {number} of {len(pages)}"
        ops.append(
            f"BT /F1 8 Tf {PAGE_W // 2 - 25} 30 Td ".encode() + _pdf_string(foot) + b" Tj ET"
        )
        stream = zlib.compress(b"\n".join(ops))
        content_id = 4 + 2 * (number - 1)
        page_id = content_id + 1
        objects.append(
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
            + stream
            + b"\nendstream"
        )
        objects.append(
            f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        page_ids.append(page_id)
    info_id = 4 + 2 * len(pages)
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    head_objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    info = (
        b"<< /Title "
        + _pdf_string(title)
        + b" /Author "
        + _pdf_string(author)
        + f" /CreationDate (D:{date.replace('-', '')}090000Z)".encode()
        + b" /Producer (evalset pdfwriter) >>"
    )
    all_objs = head_objs + objects + [info]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(all_objs, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(all_objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(all_objs) + 1} /Root 1 0 R /Info {info_id} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
