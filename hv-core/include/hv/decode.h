/* The instruction decoder of the MMIO path (the MMIO issue).
 *
 * On an EPT violation or misconfiguration the SDM leaves the VM-exit instruction length undefined (Vol. 3
 * §28.2.5), so the core decodes the faulting instruction itself from guest memory: its length, what it does
 * to memory (load, store, read-modify-write), the operand size, the register and immediate operands, and the
 * memory operand's addressing. Only the instruction forms a device access plausibly uses are supported;
 * everything else is a typed error, never a guess. Bytes are hostile: the decoder never reads past the
 * bytes it was given, never more than 15 (SDM Vol. 2 §2.3.11), and is freestanding (no libc, no tables
 * built at run time). */
#ifndef HV_DECODE_H
#define HV_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_INSN_MAX_LEN 15

enum hv_cpu_mode { HV_MODE_16 = 16, HV_MODE_32 = 32, HV_MODE_64 = 64 };

enum hv_decode_error {
    HV_DECODE_OK = 0,
    HV_DECODE_TRUNCATED,   /* the bytes end before the instruction does */
    HV_DECODE_INVALID,     /* not a valid instruction (#UD on hardware), or longer than 15 bytes */
    HV_DECODE_UNSUPPORTED, /* valid, but not an instruction the MMIO path emulates */
};

enum hv_insn_op {
    HV_OP_NONE = 0,
    HV_OP_MOV,   /* 88 89 8A 8B C6 C7 A0-A3 */
    HV_OP_MOVZX, /* 0F B6 / 0F B7 */
    HV_OP_MOVSX, /* 0F BE / 0F BF */
    HV_OP_MOVSXD,/* 63 (64-bit mode) */
    HV_OP_STOS,  /* AA AB */
    HV_OP_MOVS,  /* A4 A5 */
    HV_OP_ADD, HV_OP_OR, HV_OP_AND, HV_OP_SUB, HV_OP_XOR, HV_OP_CMP, /* 00-3B forms, 80/81/83 */
    HV_OP_TEST,  /* 84 85, F6/F7 /0 */
    HV_OP_XCHG,  /* 86 87 */
    HV_OP_BT,    /* 0F A3 */
};

/* Direction of the memory access. */
enum hv_insn_dir {
    HV_DIR_LOAD = 1,  /* memory is read */
    HV_DIR_STORE = 2, /* memory is written */
    HV_DIR_RMW = 3,   /* read, then written (ALU to memory, XCHG) */
};

/* Registers in the SDM's encoding order (Vol. 2 §2.1.5 Table 2-2 / §3.1.1.1): 0 RAX/EAX/AX/AL .. 15 R15.
 * HV_REG_AH..HV_REG_BH are the legacy high-byte registers (ModRM reg 4-7 without REX, 8-bit operand). */
enum hv_reg {
    HV_REG_NONE = -1,
    HV_REG_AH = 16, HV_REG_CH = 17, HV_REG_DH = 18, HV_REG_BH = 19,
    HV_REG_RIP = 20, /* RIP-relative base */
};

enum hv_seg { HV_SEG_ES = 0, HV_SEG_CS, HV_SEG_SS, HV_SEG_DS, HV_SEG_FS, HV_SEG_GS };

/* The memory operand. STOS: ES:rDI (no override). MOVS: the SOURCE, seg:rSI (DS or the override); the
 * destination is always ES:rDI with the same address size. moffs (A0-A3): no base, no index, disp = the
 * offset zero-extended from the address size. 64-bit mode: ES/CS/SS/DS overrides are ignored, FS/GS count;
 * RSP/RBP bases (not R12/R13) default to SS. */
struct hv_mem_operand {
    uint8_t seg;    /* enum hv_seg: the default or the override */
    int8_t base;    /* 0-15, HV_REG_RIP, or HV_REG_NONE */
    int8_t index;   /* 0-15 or HV_REG_NONE */
    uint8_t scale;  /* 1, 2, 4, 8 (1 when there is no index) */
    int64_t disp;   /* sign-extended displacement, or the moffs absolute offset (zero-extended) */
    uint8_t addr_size; /* address size in bytes: 2, 4, 8 */
    bool riprel;
};

struct hv_insn {
    uint8_t len;          /* total length, 1..15 */
    enum hv_insn_op op;
    enum hv_insn_dir dir;
    uint8_t size;         /* operand size in bytes of the memory access: 1, 2, 4, 8 */
    uint8_t dst_size;     /* MOVZX/MOVSX/MOVSXD: size of the register written; else = size */
    int8_t reg;           /* the register operand (0-15, HV_REG_AH..BH) or HV_REG_NONE; its width is dst_size.
                             STOS and moffs: 0 (AL/AX/EAX/RAX). BT: the bit-offset register. */
    bool has_imm;
    int64_t imm;          /* the immediate sign-extended from its encoded width to 64 bits: its low `size`
                             bytes are the operand (83 ib and REX.W imm32 are sign-extended by the CPU) */
    struct hv_mem_operand mem;
    bool rep;             /* REP (F3) on MOVS/STOS; F2 on MOVS/STOS is UNSUPPORTED (not defined by the SDM) */
    bool repne;           /* always false: no supported instruction takes REPNE */
    bool lock;
    bool mem_is_dst;      /* for ALU/MOV forms: memory is the destination operand */
};

/* Decode one instruction from bytes[0..len) in the given mode. Reads at most min(len, 15) bytes. An
 * instruction that needs a 16th byte is INVALID; bytes ending earlier are TRUNCATED. Opcodes outside the
 * supported set are UNSUPPORTED as soon as they are seen (not validated further). On any error *out is
 * zeroed (reg/base/index HV_REG_NONE). */
enum hv_decode_error hv_decode(const uint8_t *bytes, size_t len, enum hv_cpu_mode mode, struct hv_insn *out);

/* The textual names used by `hvkit decode` (stable: documented in the README). */
const char *hv_insn_op_name(enum hv_insn_op op);
const char *hv_reg_name(int reg, unsigned size); /* "eax", "r9d", "ah", ...; NULL for HV_REG_NONE */
const char *hv_seg_name(enum hv_seg seg);

#endif
