/* PNG writer (png.h), after the PNG specification (W3C, second edition): signature, IHDR, one IDAT, IEND.
 *
 * No compression: the zlib stream (RFC 1950) holds deflate blocks of type 00 "stored" (RFC 1951 §3.2.4),
 * each at most 65535 bytes, so the file is about the size of the raw image — fine for a frame a person looks
 * at, and it keeps the encoder short enough to check by reading. Each scanline starts with filter type 0. */
#include "png.h"

#include <stdlib.h>
#include <string.h>

uint32_t png_crc32(const uint8_t *p, size_t n, uint32_t crc)
{
    /* Bitwise, reflected: the table-less form of the spec's sample code (fast enough for one frame). */
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

uint32_t png_adler32(const uint8_t *p, size_t n, uint32_t adler)
{
    uint32_t a = adler & 0xffffu, b = adler >> 16;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

struct buf {
    uint8_t *p;
    size_t n;
};

static void be32(struct buf *b, uint32_t v)
{
    b->p[b->n++] = (uint8_t)(v >> 24);
    b->p[b->n++] = (uint8_t)(v >> 16);
    b->p[b->n++] = (uint8_t)(v >> 8);
    b->p[b->n++] = (uint8_t)v;
}

/* A chunk: length, type, data, CRC over type and data (PNG spec §5.3). */
static void chunk(struct buf *b, const char type[4], const uint8_t *data, size_t len)
{
    be32(b, (uint32_t)len);
    size_t at = b->n;
    memcpy(b->p + b->n, type, 4);
    b->n += 4;
    if (len)
        memcpy(b->p + b->n, data, len);
    b->n += len;
    be32(b, png_crc32(b->p + at, len + 4, 0));
}

uint8_t *png_encode(uint32_t width, uint32_t height, const uint32_t *pixels, size_t *len)
{
    if (!width || !height || width > 65535 || height > 65535 || !pixels)
        return NULL;
    size_t row = 1 + (size_t)width * 3, raw_len = row * height;
    uint8_t *raw = malloc(raw_len);
    if (!raw)
        return NULL;
    for (uint32_t y = 0; y < height; y++) {
        uint8_t *r = raw + y * row;
        r[0] = 0; /* filter type None */
        for (uint32_t x = 0; x < width; x++) {
            uint32_t px = pixels[(size_t)y * width + x];
            r[1 + 3 * x] = (uint8_t)(px >> 16);
            r[2 + 3 * x] = (uint8_t)(px >> 8);
            r[3 + 3 * x] = (uint8_t)px;
        }
    }
    size_t blocks = raw_len / 65535 + 1;
    size_t z_len = 2 + raw_len + 5 * blocks + 4;
    uint8_t *z = malloc(z_len);
    uint8_t *out = malloc(8 + 25 + 12 + z_len + 12);
    if (!z || !out) {
        free(raw), free(z), free(out);
        return NULL;
    }
    /* zlib header: CM = 8 (deflate), CINFO = 7 (32K window), no dictionary, FLEVEL 0; FCHECK makes
     * (CMF * 256 + FLG) a multiple of 31: 0x7801 = 31 * 991 (RFC 1950 §2.2). */
    size_t zn = 0;
    z[zn++] = 0x78;
    z[zn++] = 0x01;
    size_t left = raw_len, at = 0;
    do {
        uint16_t n = (uint16_t)(left > 65535 ? 65535 : left);
        z[zn++] = left <= 65535 ? 1 : 0; /* BFINAL on the last block; BTYPE = 00 stored */
        z[zn++] = (uint8_t)n;
        z[zn++] = (uint8_t)(n >> 8);
        z[zn++] = (uint8_t)~n;
        z[zn++] = (uint8_t)(~n >> 8);
        memcpy(z + zn, raw + at, n);
        zn += n, at += n, left -= n;
    } while (left);
    uint32_t ad = png_adler32(raw, raw_len, 1);
    z[zn++] = (uint8_t)(ad >> 24);
    z[zn++] = (uint8_t)(ad >> 16);
    z[zn++] = (uint8_t)(ad >> 8);
    z[zn++] = (uint8_t)ad;

    struct buf b = {out, 0};
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(b.p, sig, 8);
    b.n = 8;
    uint8_t ihdr[13] = {(uint8_t)(width >> 24), (uint8_t)(width >> 16), (uint8_t)(width >> 8), (uint8_t)width,
                        (uint8_t)(height >> 24), (uint8_t)(height >> 16), (uint8_t)(height >> 8), (uint8_t)height,
                        8 /* bit depth */, 2 /* colour type: truecolour */, 0, 0, 0 /* deflate, adaptive, none */};
    chunk(&b, "IHDR", ihdr, sizeof ihdr);
    chunk(&b, "IDAT", z, zn);
    chunk(&b, "IEND", NULL, 0);
    free(raw);
    free(z);
    *len = b.n;
    return out;
}
