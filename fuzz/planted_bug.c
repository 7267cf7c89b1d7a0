/* fuzz_planted: a target with a real, deliberately planted bug (HVKIT_FUZZ_PLANTED_BUG, test-only), used to
 * prove that a campaign finds and records crashes. Inputs starting "HVK!" followed by a length byte L copy
 * L bytes into a 16-byte heap buffer: L > 16 is a heap overflow ASan reports. The buffer escapes through a
 * volatile pointer so the optimiser cannot delete the store (toolchain.md: a dead local's overflow vanished). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *volatile sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5 || data[0] != 'H' || data[1] != 'V' || data[2] != 'K' || data[3] != '!')
        return 0;
    size_t n = data[4];
    if (n > size - 5)
        n = size - 5;
    uint8_t *buf = malloc(16);
    if (!buf)
        return 0;
    sink = buf;
    for (size_t i = 0; i < n; i++) /* the bug: no check against the buffer's 16 bytes */
        ((uint8_t *)sink)[i] = data[5 + i];
    if (n > 16 && !getenv("HVKIT_PLANTED_NO_ABORT"))
        abort(); /* without ASan (AFL nosan builds) the overflow must still be a crash */
    free(buf);
    return 0;
}
