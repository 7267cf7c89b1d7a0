/* The four memory functions a freestanding gcc may still call for struct copies and initialisers
 * (-ffreestanding does not stop it), plus a strlen under our own name. Built with
 * -fno-tree-loop-distribute-patterns so these loops are not turned back into calls to themselves. */
#include "boot.h"

void *memset(void *d, int c, size_t n) {
    unsigned char *p = d;
    if (((uintptr_t)p & 7) == 0 && (n & 7) == 0) {
        /* Page zeroing is the hot case (pmm): a string store is one instruction for Bochs to emulate. */
        uint64_t pattern = 0x0101010101010101ull * (unsigned char)c;
        size_t q = n / 8;
        __asm__ volatile("rep stosq" : "+D"(p), "+c"(q) : "a"(pattern) : "memory");
        return d;
    }
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n) {
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n) {
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp < sp) {
        while (n--)
            *dp++ = *sp++;
    } else {
        while (n--)
            dp[n] = sp[n];
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t kstrlen(const char *s) {
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
