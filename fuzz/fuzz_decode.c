/* fuzz_decode: the MMIO instruction decoder (hv/decode.h) on fuzzed bytes in 16-, 32- and 64-bit code,
 * differential against Zydis with exactly decode_diff's rules (harness/decode_diff/zydis_compare.c). A
 * disagreement prints both decodes and aborts. At most 15 bytes are decoded (the architectural limit); the
 * first input byte is given to the decoder as is, so prefixes and lengths are all reachable. */
#include "fuzz_common.h"
#include "zydis_compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ZydisDecoder dec[3];
    static bool ready;
    static const int modes[3] = {64, 32, 16};
    if (!ready) {
        for (int i = 0; i < 3; i++)
            zc_decoder_init(&dec[i], modes[i]);
        ready = true;
    }
    if (size > 16)
        size = 16; /* the decoder is given up to 15 bytes of instruction plus one more */
    for (int i = 0; i < 3; i++)
        if (zc_check_one(&dec[i], modes[i], data, size) < 0)
            fz_oracle("decode-zydis", "the decoder disagrees with Zydis (above) in %d-bit mode", modes[i]);
    return 0;
}
