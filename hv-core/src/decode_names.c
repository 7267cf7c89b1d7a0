/* The decoder's names, as `hvkit decode` prints them (stable: documented in the README). */
#include <hv/decode.h>

const char *hv_insn_op_name(enum hv_insn_op op)
{
    static const char *const names[] = {
        [HV_OP_NONE] = "none", [HV_OP_MOV] = "mov",   [HV_OP_MOVZX] = "movzx", [HV_OP_MOVSX] = "movsx",
        [HV_OP_MOVSXD] = "movsxd", [HV_OP_STOS] = "stos", [HV_OP_MOVS] = "movs", [HV_OP_ADD] = "add",
        [HV_OP_OR] = "or",     [HV_OP_AND] = "and",   [HV_OP_SUB] = "sub",     [HV_OP_XOR] = "xor",
        [HV_OP_CMP] = "cmp",   [HV_OP_TEST] = "test", [HV_OP_XCHG] = "xchg",   [HV_OP_BT] = "bt",
    };
    if ((unsigned)op >= sizeof names / sizeof names[0] || !names[op])
        return "none";
    return names[op];
}

/* Register names in the SDM's encoding order (Vol. 2 §2.1.5 Table 2-2, §2.2.1.2 for R8-R15 and SPL-DIL). */
const char *hv_reg_name(int reg, unsigned size)
{
    static const char *const r64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    static const char *const r32[16] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                        "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    static const char *const r16[16] = {"ax",  "cx",  "dx",   "bx",   "sp",   "bp",   "si",   "di",
                                        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    static const char *const r8[16] = {"al",  "cl",  "dl",   "bl",   "spl",  "bpl",  "sil",  "dil",
                                       "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
    static const char *const high[4] = {"ah", "ch", "dh", "bh"};
    if (reg >= HV_REG_AH && reg <= HV_REG_BH)
        return high[reg - HV_REG_AH];
    if (reg == HV_REG_RIP)
        return size == 4 ? "eip" : size == 2 ? "ip" : "rip";
    if (reg < 0 || reg > 15)
        return NULL;
    switch (size) {
    case 1: return r8[reg];
    case 2: return r16[reg];
    case 4: return r32[reg];
    case 8: return r64[reg];
    default: return NULL;
    }
}

const char *hv_seg_name(enum hv_seg seg)
{
    static const char *const names[] = {"es", "cs", "ss", "ds", "fs", "gs"};
    if ((unsigned)seg >= sizeof names / sizeof names[0])
        return NULL;
    return names[seg];
}
