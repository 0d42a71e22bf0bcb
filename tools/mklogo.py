#!/usr/bin/env python3
"""mklogo.py -- draw the notebook logo of luaml (the kernelspec's
logo-32x32.png and logo-64x64.png): Lua's dark blue disc holding a 3x3
matrix of cells, the middle row brighter (a row slice).  Pure Python (zlib),
antialiased by 4x4 supersampling; the output is byte-for-byte reproducible.

    python3 tools/mklogo.py share/    # writes share/logo-32x32.png, -64x64
"""
import struct
import sys
import zlib

NAVY = (0, 0, 128)
CELL = (214, 226, 255)
HOT = (255, 196, 64)


def colour_at(x, y):
    """the colour (r, g, b, a) of the point (x, y) of the unit square"""
    cx, cy = x - 0.5, y - 0.5
    if cx * cx + cy * cy > 0.49 * 0.49:
        return (0, 0, 0, 0)
    # a 3x3 grid of cells inside the disc
    g0, step, cell = 0.2, 0.2, 0.16
    for i in range(3):
        for j in range(3):
            x0, y0 = g0 + j * step + 0.02, g0 + i * step + 0.02
            if x0 <= x < x0 + cell and y0 <= y < y0 + cell:
                return (*(HOT if i == 1 else CELL), 255)
    return (*NAVY, 255)


def png(size):
    ss = 4
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    r, g, b, a = colour_at((px + (sx + 0.5) / ss) / size,
                                           (py + (sy + 0.5) / ss) / size)
                    acc[0] += r * a; acc[1] += g * a; acc[2] += b * a; acc[3] += a
            a = acc[3]
            if a == 0:
                row += bytes(4)
            else:
                row += bytes([round(acc[0] / a), round(acc[1] / a), round(acc[2] / a),
                              round(a / (ss * ss))])
        rows.append(bytes(row))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "share/"
    for n in (32, 64):
        with open(f"{out.rstrip('/')}/logo-{n}x{n}.png", "wb") as f:
            f.write(png(n))
