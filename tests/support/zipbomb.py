"""Crafted zip bombs: a deflated entry of zeros with an extreme compression ratio, written
without compressing it (a repeated fully flushed block), optionally with a header that lies
about the expanded size."""

from __future__ import annotations

import struct
import zlib

MIB = 1024 * 1024


def _deflated_zeros(mib: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``mib`` MiB of zeros, and its CRC-32.

    After a full flush the compressor starts afresh, so each MiB compresses to the same
    bytes: one is compressed and repeated, which costs nothing however large the bomb."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MIB)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * mib + compressor.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return stream, crc


def zip_bomb(mib: int, *, claimed: int | None = None, name: str = "bomb.xml") -> bytes:
    """A zip of one entry expanding to ``mib`` MiB; its headers claim ``claimed`` bytes."""
    data, crc = _deflated_zeros(mib)
    size = mib * MIB if claimed is None else claimed
    encoded = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(data),
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + encoded + data
    directory = central + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end
