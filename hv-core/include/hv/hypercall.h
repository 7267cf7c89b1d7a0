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

/* Version history: 1 = VERSION, PUTCHAR, SHUTDOWN; 2 = adds QUERY and the IPC calls (4-6) below. A guest
 * checks the version (HV_HC_VERSION or CPUID leaf 0x40000001) before using a call newer than version 1. */
#define HV_HC_ABI_VERSION 2u

/* Hypercall numbers (RAX). */
#define HV_HC_VERSION 0u  /* -> RAX = HV_HC_ABI_VERSION */
#define HV_HC_PUTCHAR 1u  /* RBX[7:0] = one byte for the debug console (the host log); -> RAX = 0 */
#define HV_HC_SHUTDOWN 2u /* the guest asks to stop: RAX = 0 and the run ends cleanly (HV_STEP_HALTED) */
#define HV_HC_QUERY 3u    /* RBX = what (HV_HC_QUERY_*) -> RAX = its value; unknown RBX -> HV_HC_EINVAL */
/* Register the IPC ring pair (needs the VM's IPC device, else HV_HC_ENODEV):
 *   RBX = GPA of the transmit ring (guest -> host), RCX = GPA of the receive ring (host -> guest),
 *   RDX = pages per ring (1..HV_IPC_MAX_PAGES), RSI = interrupt vector for host messages (32..255).
 * Both rings page-aligned, entirely inside the VM's RAM (not an MMIO/ROM region, not past memory_size),
 * not overlapping each other -> RAX = 0, and the core writes both rings' headers (empty, size set).
 * HV_HC_EINVAL for any argument out of range, HV_HC_EBUSY when a pair is registered already. */
#define HV_HC_IPC_REGISTER 4u
/* RBX = a value for the host (hv_vm_config.notify), e.g. "the transmit ring has data" -> RAX = 0;
 * HV_HC_ENOENT when no ring pair is registered. */
#define HV_HC_IPC_NOTIFY 5u
/* Forget the ring pair (the guest may reuse the memory) -> RAX = 0; HV_HC_ENOENT when none. */
#define HV_HC_IPC_UNREGISTER 6u
#define HV_HC_COUNT 7u

/* HV_HC_QUERY selectors (RBX). */
#define HV_HC_QUERY_ABI_VERSION 0u  /* HV_HC_ABI_VERSION */
#define HV_HC_QUERY_COUNT 1u        /* HV_HC_COUNT */
#define HV_HC_QUERY_IPC 2u          /* 1 when the VM has the IPC device (HV_HC_IPC_* usable), else 0 */
#define HV_HC_QUERY_IPC_PAGES 3u    /* HV_IPC_MAX_PAGES */
#define HV_HC_QUERY_IPC_MSG_MAX 4u  /* HV_IPC_MSG_MAX */

/* Error results (RAX), negative errno values as Linux numbers them. */
#define HV_HC_EPERM ((unsigned long long)-1ll)   /* the caller is not at CPL 0 */
#define HV_HC_ENOENT ((unsigned long long)-2ll)  /* no ring pair registered */
#define HV_HC_EBUSY ((unsigned long long)-16ll)  /* a ring pair is registered already */
#define HV_HC_ENODEV ((unsigned long long)-19ll) /* the VM has no IPC device */
#define HV_HC_EINVAL ((unsigned long long)-22ll) /* an argument is out of range */
#define HV_HC_ENOSYS ((unsigned long long)-38ll) /* no such hypercall */

/* ---- the IPC rings ---------------------------------------------------------------------------------------
 * Each ring is `pages` contiguous 4-KiB pages of guest RAM: a 64-byte header, then a data area of
 * pages * 4096 - 64 bytes (a multiple of 8). All fields little-endian.
 *
 *   offset  size  field
 *   0       4     head   consumer's position: offset into the data area of the next unread entry
 *   4       4     tail   producer's position: offset where the next entry will be written
 *   8       4     size   bytes of the data area (written by the core at registration; informative only:
 *                        the core uses its own copy)
 *   12      4     magic  HV_IPC_RING_MAGIC (written by the core at registration)
 *   16      48    reserved (0)
 *   64      size  data
 *
 * head and tail are multiples of 8 below size; head == tail means empty. The producer never fills the last
 * 8 bytes (free space = (head - tail - 8) mod size), so a full ring never looks empty. An entry is an 8-byte
 * header {u32 length (1..HV_IPC_MSG_MAX), u32 reserved 0} and `length` bytes of message, padded with
 * zeros to a multiple of 8; entries are a byte stream modulo size (a message may wrap around the end of the
 * data area; an entry header never does, since size and entries are multiples of 8).
 *
 * Who writes what: on the receive ring (host -> guest) the core writes entries and tail, the guest head; on
 * the transmit ring (guest -> host) the guest writes entries and tail, the core head. The producer updates
 * tail only after the entry's bytes. A ring index or entry length the core finds out of range disables the
 * pair (host calls fail) until the guest unregisters and registers again. */
#define HV_IPC_MAX_PAGES 16u
#define HV_IPC_MSG_MAX 4096u
#define HV_IPC_RING_HEADER 64u
#define HV_IPC_RING_MAGIC 0x52435049u /* "IPCR" little-endian */
#define HV_IPC_ENTRY_HEADER 8u

/* CPUID hypervisor leaves (Intel reserves 0x40000000-0x4FFFFFFF for software use; SDM Vol. 2 CPUID). */
#define HV_CPUID_LEAF_SIGNATURE 0x40000000u /* EAX = HV_CPUID_LEAF_MAX; EBX ECX EDX = "hvki" "thvk" "ithv" */
#define HV_CPUID_LEAF_ABI 0x40000001u       /* EAX = HV_HC_ABI_VERSION, EBX = HV_HC_COUNT; ECX = EDX = 0 */
#define HV_CPUID_LEAF_MAX 0x40000001u
#define HV_CPUID_SIGNATURE_EBX 0x696b7668u /* "hvki" little-endian */
#define HV_CPUID_SIGNATURE_ECX 0x6b766874u /* "thvk" */
#define HV_CPUID_SIGNATURE_EDX 0x76687469u /* "ithv" */

#endif
