/* A deliberately bad "core" object: it calls libc's memcpy. check_undefined_symbols.sh must reject the
 * archive built from it (test hvcore.undefined_symbols_check_rejects_libc), which proves that the check on
 * the real freestanding archive can fail. */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);

void canary_copy(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
}
