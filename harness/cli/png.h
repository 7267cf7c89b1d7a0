/* A minimal PNG writer for `hvkit run --framebuffer` (png.c): 8-bit RGB, no interlace, the image data in
 * stored (uncompressed) deflate blocks inside a zlib stream. CRC-32 and Adler-32 are computed here. */
#ifndef HVKIT_PNG_H
#define HVKIT_PNG_H

#include <stddef.h>
#include <stdint.h>

/* Encode width x height pixels (0x00RRGGBB, row-major) as a PNG. Returns a malloc'd buffer and its length
 * in *len, or NULL (out of memory, or a dimension of 0 or above 65535). */
uint8_t *png_encode(uint32_t width, uint32_t height, const uint32_t *pixels, size_t *len);
/* CRC-32 of ISO 3309 / ITU-T V.42 (PNG spec §5.5, reflected polynomial 0xEDB88320), and Adler-32 of RFC 1950
 * §8.2 — exposed for the tests. */
uint32_t png_crc32(const uint8_t *p, size_t n, uint32_t crc);
uint32_t png_adler32(const uint8_t *p, size_t n, uint32_t adler);

#endif
