/* x86 architectural register bits hv-core and the sim share: control registers, RFLAGS, IA32_EFER,
 * IA32_DEBUGCTL, IA32_S_CET, IA32_FEATURE_CONTROL, exception vectors, the CPUID feature bits in use, and the
 * VMX segment access-rights format. Names are the SDM's. Freestanding: no headers beyond <stdint.h>. MSR
 * numbers are in <hv/msr.h>, VMX-specific formats in <hv/vmx_controls.h>. */
#ifndef HV_X86_H
#define HV_X86_H

#include <stdint.h>

/* CR0 (SDM Vol. 3 §2.5, Figure 2-7). */
#define CR0_PE (1ull << 0)  /* protection enable */
#define CR0_ET (1ull << 4)  /* extension type */
#define CR0_NE (1ull << 5)  /* numeric error */
#define CR0_WP (1ull << 16) /* write protect */
#define CR0_NW (1ull << 29) /* not write-through */
#define CR0_CD (1ull << 30) /* cache disable */
#define CR0_PG (1ull << 31) /* paging */

/* CR4 (SDM Vol. 3 §2.5, Figure 2-7). */
#define CR4_PAE (1ull << 5)    /* physical-address extension */
#define CR4_LA57 (1ull << 12)  /* 57-bit linear addresses (5-level paging) */
#define CR4_VMXE (1ull << 13)  /* VMX enable */
#define CR4_PCIDE (1ull << 17) /* PCID enable */
#define CR4_CET (1ull << 23)   /* control-flow enforcement technology */
/* The CR4 bits SDM Vol. 3 §2.5 defines through UINTR: bits 14:0 (VME .. SMXE) and 25:16 (FSGSBASE .. UINTR);
 * bit 15 and bits 63:26 are treated as reserved. */
#define CR4_KNOWN_BITS 0x03ff7fffull

/* RFLAGS (SDM Vol. 1 §3.4.3, Figure 3-8). */
#define RFLAGS_FIXED1 (1ull << 1) /* reserved, always 1 */
#define RFLAGS_TF (1ull << 8)     /* trap flag */
#define RFLAGS_IF (1ull << 9)     /* interrupt enable */
#define RFLAGS_VM (1ull << 17)    /* virtual-8086 mode */
#define RFLAGS_RESERVED 0xffffffffffc08028ull /* reserved (must be 0): bits 63:22, 15, 5, 3 */

/* IA32_EFER (SDM Vol. 3 §2.2.1, Table 2-1). */
#define EFER_SCE (1ull << 0)  /* SYSCALL enable */
#define EFER_LME (1ull << 8)  /* IA-32e mode enable */
#define EFER_LMA (1ull << 10) /* IA-32e mode active */
#define EFER_NXE (1ull << 11) /* execute-disable enable */

/* IA32_DEBUGCTL (SDM Vol. 3 §19.4.1, Figure 19-3). */
#define DEBUGCTL_BTF (1ull << 1) /* single-step on branches */

/* IA32_S_CET / IA32_U_CET (SDM Vol. 1 §18.3.1; Vol. 4 Table 2-2). */
#define CET_RESERVED_9_6 0x3c0ull /* bits 9:6 reserved */
#define CET_SUPPRESS (1ull << 10)
#define CET_TRACKER (1ull << 11)

/* IA32_FEATURE_CONTROL (SDM Vol. 3 §24.7; Vol. 4 Table 2-2). */
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* Exception vectors (SDM Vol. 3 §6.3.1, Table 6-1). */
#define VEC_UD 6u  /* invalid opcode */
#define VEC_GP 13u /* general protection */
#define VEC_PF 14u /* page fault */

/* CPUID feature bits (SDM Vol. 2A, CPUID, Tables 3-8 and 3-17). */
#define CPUID7_EBX_SGX (1u << 2)              /* CPUID.(EAX=07H,ECX=0):EBX[2] */
#define CPUID7_EBX_RTM (1u << 11)             /* CPUID.(EAX=07H,ECX=0):EBX[11] */
#define CPUID7_ECX_BUS_LOCK_DETECT (1u << 24) /* CPUID.(EAX=07H,ECX=0):ECX[24] */
#define CPUID80000001_EDX_SYSCALL (1u << 11)  /* CPUID.80000001H:EDX[11] */
#define CPUID80000001_EDX_NX (1u << 20)       /* CPUID.80000001H:EDX[20] */

/* Segment access rights in the format of the VMCS guest-state area (SDM Vol. 3 §25.4.1, Table 25-2). */
#define AR_TYPE(ar) ((uint32_t)(ar)&0xfu)         /* bits 3:0: segment type */
#define AR_S (1u << 4)                            /* bit 4: descriptor type (0 system, 1 code or data) */
#define AR_DPL(ar) (((uint32_t)(ar) >> 5) & 3u)   /* bits 6:5: descriptor privilege level */
#define AR_P (1u << 7)                            /* bit 7: present */
#define AR_RSVD_11_8 0x00000f00u                  /* bits 11:8: reserved */
#define AR_L (1u << 13)                           /* bit 13: 64-bit mode active (CS only) */
#define AR_DB (1u << 14)                          /* bit 14: default operation size */
#define AR_G (1u << 15)                           /* bit 15: granularity */
#define AR_UNUSABLE (1u << 16)                    /* bit 16: segment unusable */
#define AR_RSVD_31_17 0xfffe0000u                 /* bits 31:17: reserved */

#endif
