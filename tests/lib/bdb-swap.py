#!/usr/bin/env python3
"""bdb-swap.py IN OUT: rewrites rpm's Berkeley DB hash Packages file IN in the other byte
order, as rpm on a host of that order would have written it, into OUT.

No tool on an x86 Debian writes a big-endian Packages file, so the tests make one from a
file the real rpm wrote: libdb keeps page headers, item offsets and off-page references in
the creating host's order (it swaps them when a foreign file is read: db_page.h, hash's
pgin), and rpm's key, the header number, is a host-order integer too. The header blobs are
big-endian on every host and stay as they are. rpm 4.16 reads the result (libdb swaps back),
which is how rpm-bdb.sh checks this converter.
"""
import struct
import sys

HASH_MAGIC = 0x061561
P_HASH_UNSORTED, P_OVERFLOW, P_HASHMETA, P_HASH = 2, 7, 8, 13
H_KEYDATA, H_OFFPAGE, H_OFFDUP = 1, 3, 4
PAGE_HDR = 26
META_CHKSUM = 0x01


def swap(buf, off, fmt, src):
    """Re-packs the integers at off from the source order src ('<' or '>') into the other."""
    dst = '>' if src == '<' else '<'
    vals = struct.unpack_from(src + fmt, buf, off)
    struct.pack_into(dst + fmt, buf, off, *vals)
    return vals


def swap_meta(page, src):
    # DBMETA: lsn, pgno, magic, version, pagesize; then 4 bytes; free .. flags; uid (bytes)
    swap(page, 0, '6I', src)
    swap(page, 28, '6I', src)
    # HMETA: max_bucket, high_mask, low_mask, ffactor, nelem, h_charkey, spares[32],
    # unused[59], crypto_magic
    swap(page, 72, '6I', src)
    swap(page, 96, '32I', src)
    swap(page, 224, '60I', src)


def swap_hash_items(page, src, data_off, pagesize):
    n = struct.unpack_from(src + 'H', page, 20)[0]
    offs = swap(page, data_off, '%dH' % n, src)
    for i, off in enumerate(offs):
        end = pagesize if i == 0 else offs[i - 1]
        kind = page[off]
        if kind == H_OFFPAGE:
            swap(page, off + 4, '2I', src)
        elif kind == H_OFFDUP:
            swap(page, off + 4, 'I', src)
        elif kind == H_KEYDATA and end - off == 5:
            # keys are rpm's host-order header numbers; so is key 0's counter
            swap(page, off + 1, 'I', src)


def main():
    data = bytearray(open(sys.argv[1], 'rb').read())
    src = '<' if struct.unpack_from('<I', data, 12)[0] == HASH_MAGIC else '>'
    pagesize = struct.unpack_from(src + 'I', data, 20)[0]
    data_off = PAGE_HDR + (20 if data[26] & META_CHKSUM else 0)
    for pgno in range(len(data) // pagesize):
        page = memoryview(data)[pgno * pagesize:(pgno + 1) * pagesize]
        kind = page[25]
        if kind == P_HASHMETA:
            swap_meta(page, src)
            continue
        if kind in (P_HASH, P_HASH_UNSORTED):
            # the item offsets are read in the source order before the header is swapped
            swap_hash_items(page, src, data_off, pagesize)
        # every other page (overflow, free, never written): the header only
        swap(page, 0, '5I', src)
        swap(page, 20, '2H', src)
    open(sys.argv[2], 'wb').write(data)


if __name__ == '__main__':
    main()
