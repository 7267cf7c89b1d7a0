/* The hvkit hypercall ABI: what a guest gets from VMCALL (SDM Vol. 3 §26.1.2: VMCALL in VMX non-root
 * operation always causes a VM exit, exit reason 18).
 *
 *   RAX            hypercall number (all 64 bits compared)
 *   RBX RCX RDX RSI arguments 1-4
 *   RAX            result on return: >= 0 success, a negative HV_HC_E* value on error (as a 64-bit two's
 *                  complement, e.g. HV_HC_ENOSYS = -38 = 0xffffffffffffffda)
 *   RIP            advances past VMCALL (3 bytes) in every case; no other register changes.
 *
 * Only CPL 0 may call: from CPL 1-3 every number returns HV_HC_EPERM (guest user space must not shut the VM
 * down). Unknown numbers return HV_HC_ENOSYS, never anything worse. The guest finds the ABI through CPUID:
 * leaf 0x40000000 returns the maximum hypervisor leaf in EAX and the signature "hvkithvkithv" in EBX, ECX,
 * EDX; leaf 0x40000001 EAX returns HV_HC_ABI_VERSION. Freestanding (guests may include it). */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#define HV_HC_ABI_VERSION 1u

/* Hypercall numbers (RAX). */
#define HV_HC_VERSION 0u  /* -> RAX = HV_HC_ABI_VERSION */
#define HV_HC_PUTCHAR 1u  /* RBX[7:0] = one byte for the debug console (the host log); -> RAX = 0 */
#define HV_HC_SHUTDOWN 2u /* the guest asks to stop: RAX = 0 and the run ends cleanly (HV_STEP_HALTED) */
#define HV_HC_COUNT 3u

/* Error results (RAX), negative errno values as Linux numbers them. */
#define HV_HC_EPERM ((unsigned long long)-1ll)   /* the caller is not at CPL 0 */
#define HV_HC_EINVAL ((unsigned long long)-22ll) /* an argument is out of range */
#define HV_HC_ENOSYS ((unsigned long long)-38ll) /* no such hypercall */

/* CPUID hypervisor leaves (Intel reserves 0x40000000-0x4FFFFFFF for software use; SDM Vol. 2 CPUID). */
#define HV_CPUID_LEAF_SIGNATURE 0x40000000u /* EAX = HV_CPUID_LEAF_MAX; EBX ECX EDX = "hvki" "thvk" "ithv" */
#define HV_CPUID_LEAF_ABI 0x40000001u       /* EAX = HV_HC_ABI_VERSION, EBX = HV_HC_COUNT; ECX = EDX = 0 */
#define HV_CPUID_LEAF_MAX 0x40000001u
#define HV_CPUID_SIGNATURE_EBX 0x696b7668u /* "hvki" little-endian */
#define HV_CPUID_SIGNATURE_ECX 0x6b766874u /* "thvk" */
#define HV_CPUID_SIGNATURE_EDX 0x76687469u /* "ithv" */

#endif
