/* The hypervisor core's public API: logical processors in VMX operation, VMs, and running them.
 *
 * The core allocates nothing but 4-KiB pages through arch.h and keeps no globals: the caller provides the
 * storage of every struct hv_cpu and struct hv_vm, so any number of CPUs and VMs can exist side by side.
 *
 * Life of a VM (seed 000, "Lifecycle of a VM"):
 *   hv_cpu_init(cpu)          VMX bring-up on one logical processor (VMXON)
 *   hv_vm_create(vm, cpu)     VMCS, guest memory, EPT, bitmaps, MSR areas; controls fitted to the CPU
 *   hv_vcpu_step(vm) ...      one VM entry (VMRESUME, falling back to VMLAUNCH on error 5), one VM exit,
 *                             handled through the exit table
 *   hv_vm_destroy(vm)         every page back to the allocator
 *   hv_cpu_fini(cpu)          VMXOFF
 */
#ifndef HV_VM_H
#define HV_VM_H

#include <hv/arch.h>
#include <hv/dev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why an operation failed: a code for programs and a sentence for people. */
enum hv_err {
    HV_OK = 0,
    HV_ERR_NOT_INTEL,             /* CPUID vendor is not GenuineIntel */
    HV_ERR_NO_VMX,                /* CPUID.1:ECX.VMX[bit 5] = 0 */
    HV_ERR_FEATURE_CONTROL,       /* IA32_FEATURE_CONTROL locked without "VMXON outside SMX" */
    HV_ERR_CR_FIXED,              /* CR0/CR4 cannot satisfy IA32_VMX_CR0/CR4_FIXED0/1 */
    HV_ERR_NO_MEMORY,             /* a page allocation failed */
    HV_ERR_VMX_INSTRUCTION,       /* a VMX instruction failed (message names the SDM error) */
    HV_ERR_CONTROL_UNSUPPORTED,   /* a VM-execution/exit/entry control the core requires is not allowed */
    HV_ERR_BAD_CONFIG,            /* the VM configuration is invalid */
    HV_ERR_STATE,                 /* the object is not in a state that allows the operation */
};

#define HV_MESSAGE_MAX 160

/* One logical processor in VMX operation. */
struct hv_cpu {
    struct hv_arch_cpu *arch;
    bool vmx_on;
    hv_paddr_t vmxon_region;
    uint32_t vmcs_revision;   /* IA32_VMX_BASIC[30:0] (SDM Vol. 3 §A.1) */
    uint64_t cr0_saved, cr4_saved; /* restored by hv_cpu_fini */
    /* Where a VM exit lands (VMCS host RIP/RSP, SDM Vol. 3 §25.5.1, §28.5.3): the backend's exit stub and the
     * stack it runs on. Set by the caller (the bootable platform) before hv_vm_create; hv_cpu_init keeps
     * them. 0 is canonical and fine for the sim, whose "enter guest" returns to C without using them. */
    uint64_t host_rip, host_rsp;
    /* The VMCS this processor last made current with VMPTRLD (0: none). VMREAD/VMWRITE/VMLAUNCH act on the
     * current VMCS (SDM Vol. 3 §25.1), so a step of a VM first makes its VMCS current when it is not. */
    hv_paddr_t current_vmcs;
    enum hv_err err;
    char message[HV_MESSAGE_MAX];
};

enum hv_guest_mode {
    HV_GUEST_PROGRAM64 = 0, /* "program in VM": 64-bit long mode, page tables built by the core */
    HV_GUEST_REAL_MODE = 1, /* "booted machine": real mode at reset state, needs unrestricted guest */
};

/* Largest guest RAM the core accepts: 1 TiB. RAM is reserved, not backed (ept.c: a page is taken on the
 * guest's first access, within cfg.memory_quota_pages), so a large configuration costs only EPT tables. */
#define HV_VM_MAX_MEMORY (1ull << 40)

struct hv_trace_event;
struct hv_record; /* hv/record.h */
typedef void (*hv_trace_fn)(void *opaque, const struct hv_trace_event *ev);

/* Guest-physical regions besides the RAM at GPA 0 (the EPT issue), added with hv_vm_add_region after
 * hv_vm_create. A region may lie over RAM or over an earlier region: the most recently added region that
 * contains a GPA decides what it is (a hole punched into RAM returns any page backing it). Everything that
 * is neither RAM nor a region is unmapped: an access kills the VM naming the GPA. */
enum hv_region_type {
    HV_REGION_ROM = 1,     /* read + execute; backed at creation; the host fills it with hv_gpa_write */
    HV_REGION_MMIO = 2,    /* an intentional EPT misconfiguration (RWX = 010): every access exits (§29.3.3.1) */
    HV_REGION_MMIO_NP = 3, /* MMIO through not-present EPT entries: every access is an EPT violation */
};

/* Flags (an EPT violation may report several, e.g. a read-modify-write). HV_ACCESS_UNKNOWN: an EPT
 * misconfiguration reports no access type (SDM Vol. 3 §28.2.1: its exit qualification is undefined); the
 * instruction decoder of the MMIO issue will tell. */
enum hv_access { HV_ACCESS_UNKNOWN = 0, HV_ACCESS_READ = 1, HV_ACCESS_WRITE = 2, HV_ACCESS_FETCH = 4 };

struct hv_vm;
/* One guest access to an MMIO region. The core decodes the faulting instruction (mmio.c, hv/decode.h) and
 * calls the region's handler once per data transfer: access is HV_ACCESS_READ or HV_ACCESS_WRITE, size 1, 2,
 * 4 or 8, value the data written (zero-extended), or (read) where the handler puts the data. A read-modify-
 * write instruction (ADD [mmio], eax; XCHG) is a read then a write; a REP string instruction one transfer per
 * element. */
struct hv_mmio_access {
    uint64_t gpa;
    enum hv_access access;
    unsigned size;
    uint64_t value;
};
/* Called for every data transfer to the region; true when it succeeded. The core then completes the
 * instruction (registers, RFLAGS, RIP); false kills the VM naming the region and the access. */
typedef bool (*hv_mmio_fn)(void *opaque, struct hv_vm *vm, struct hv_mmio_access *a);

#define HV_REGIONS_MAX 16
struct hv_region {
    uint64_t gpa, size; /* 4-KiB aligned */
    enum hv_region_type type;
    hv_mmio_fn mmio;    /* MMIO regions */
    void *opaque;
    const char *name;   /* for messages and traces; must outlive the VM (the core keeps the pointer) */
};

struct hv_vm_config {
    uint64_t memory_size; /* bytes of guest RAM from GPA 0; multiple of 4 KiB, 1 MiB .. HV_VM_MAX_MEMORY */
    uint64_t memory_quota_pages; /* RAM pages the VM may have backed (lazy allocation, including the
                                  * PROGRAM64 system pages backed at creation); 0: memory_size / 4096 */
    enum hv_guest_mode mode;
    uint64_t entry;       /* guest RIP (program64: a GPA, identity-mapped; real mode: CS base 0, IP = entry) */
    uint64_t stack;       /* guest RSP */
    hv_trace_fn trace;    /* optional: called for every exit and lifecycle event */
    void *trace_opaque;
    /* An MMIO access by an instruction the core cannot emulate (hv/decode.h: truncated, invalid or
     * unsupported): false (default) injects #UD into the guest, true kills the VM. Either way the bytes are
     * logged in hex. */
    bool mmio_unsupported_kills;
    /* Virtual hardware (hv/dev.h), attached by hv_vm_create (devices.c): HV_DEV_* flags; 0, the default, gives
     * the VM no devices (every port unclaimed, no framebuffer, the IPC hypercalls return HV_HC_ENODEV). */
    uint32_t devices;
    hv_serial_sink_fn serial_sink; /* COM1 transmit (HV_DEV_UART); NULL: bytes are counted and dropped */
    void *serial_opaque;
    uint64_t fb_gpa;               /* HV_DEV_FB: the framebuffer's GPA (4-KiB aligned), width x height pixels of */
    uint32_t fb_width, fb_height;  /* 32 bits, 1..HV_FB_MAX_DIM each; an MMIO region over it (dev_fb.h) */
    hv_fb_sink_fn fb_sink;         /* every pixel the guest writes; NULL: counted and dropped */
    void *fb_opaque;
    hv_notify_fn notify;           /* HV_DEV_IPC: the guest's HV_HC_IPC_NOTIFY value (hv/hypercall.h) */
    void *notify_opaque;
    /* Record mode (hv/record.h): NULL, the default, is off. Otherwise every exit the core handles is written,
     * before its handler runs, as scenario records in the text form ("HVREC <line>" through hv_arch_log),
     * after a header at the first VM entry. The caller provides the recorder's storage, as for every core
     * object: zeroed, its profile set, outliving the VM. */
    struct hv_record *record;
};

/* Devices of hv_vm_config.devices. */
#define HV_DEV_UART 0x01u /* 16550A at COM1, IRQ 4 (dev_uart.h) */
#define HV_DEV_PIC 0x02u  /* 8259A pair (dev_pic.h) */
#define HV_DEV_PIT 0x04u  /* 8254 (dev_pit.h), IRQ 0 */
#define HV_DEV_KBD 0x08u  /* i8042 (dev_i8042.h), IRQ 1 */
#define HV_DEV_FB 0x10u   /* linear framebuffer over MMIO (dev_fb.h) */
#define HV_DEV_IPC 0x20u  /* host<->guest rings over VMCALL (dev_ipc.h, hv/hypercall.h) */
#define HV_DEV_ALL 0x3fu

/* What the trace observer sees (layered on the handlers, not inside them). */
enum hv_trace_kind {
    HV_TRACE_ENTRY_FALLBACK, /* VMRESUME failed with error 5; VMLAUNCH follows */
    HV_TRACE_EXIT,           /* an exit and its handler's outcome */
    HV_TRACE_KILL,           /* the VM was killed; message says why */
};

enum hv_exit_action {
    HV_EXIT_RESUME = 0, /* handled: enter the guest again */
    HV_EXIT_HALT,       /* the guest halted and nothing can wake it: the run ends */
    HV_EXIT_KILL,       /* the VM is dead (vm->message says why) */
};

struct hv_trace_event {
    enum hv_trace_kind kind;
    uint32_t exit_reason;   /* the exit-reason field (basic reason in bits 15:0, bit 31 entry failure) */
    uint64_t qualification;
    uint32_t instr_len;
    enum hv_exit_action action;
    const char *message;    /* HV_TRACE_KILL: the reason; HV_TRACE_EXIT: what the handler did (may be "") */
};

/* I/O port handlers (a port bus per VM). An IN of an unclaimed port reads all ones; an OUT to one is dropped
 * and counted. size is 1, 2 or 4. */
typedef uint32_t (*hv_port_in_fn)(void *opaque, uint16_t port, unsigned size);
typedef void (*hv_port_out_fn)(void *opaque, uint16_t port, unsigned size, uint32_t value);

#define HV_PORT_RANGES_MAX 16
struct hv_port_range {
    uint16_t first, last;
    hv_port_in_fn in;
    hv_port_out_fn out;
    void *opaque;
};

/* Counters a VM keeps (for tests, traces and benchmarks). */
struct hv_vm_stats {
    uint64_t exits;
    uint64_t exits_by_reason[80];
    uint64_t unclaimed_port_out;
    uint64_t unclaimed_port_in;
    uint64_t injected_exceptions;
    uint64_t external_interrupts;
    /* EPT (ept.c, exits/ept.c, mmio.c). */
    uint64_t ept_violations;    /* exit 48 handled (any outcome) */
    uint64_t ept_misconfigs;    /* exit 49 handled (any outcome) */
    uint64_t pages_faulted;     /* RAM pages backed on a guest's EPT violation (lazy allocation) */
    uint64_t ram_pages_backed;  /* RAM pages backed now (faulted + written by the host + system pages);
                                 * never exceeds vm->ram_quota */
    uint64_t rom_pages_backed;  /* ROM pages backed now (eager, not counted against the quota) */
    uint64_t ept_table_pages;   /* EPT paging-structure pages now (root included) */
    uint64_t ept_large_pages;   /* 2-MiB / 1-GiB leaves now */
    uint64_t ept_splits;        /* large leaves split into smaller ones */
    uint64_t invepts;           /* INVEPT executions */
    uint64_t mmio_accesses;     /* accesses delivered to an MMIO region's handler */
};

struct hv_vm {
    struct hv_cpu *cpu;
    struct hv_vm_config cfg;
    bool created, dead, launched_once;
    enum hv_err err;
    char message[HV_MESSAGE_MAX]; /* why creation failed or why the VM was killed */
    /* Structures the VMCS points at (host-physical pages the VM owns). */
    hv_paddr_t vmcs;
    hv_paddr_t io_bitmap_a, io_bitmap_b, msr_bitmap;
    hv_paddr_t msr_area_guest;  /* VM-entry MSR-load = VM-exit MSR-store area (guest values) */
    hv_paddr_t msr_area_host;   /* VM-exit MSR-load area (host values) */
    uint32_t msr_area_count;
    hv_paddr_t ept_root;        /* EPT PML4, or PML5 when ept_levels = 5 */
    uint64_t eptp;
    unsigned ept_levels;        /* EPT walk length: 4, or 5 when a region lies at or above 2^48 (ept.c) */
    uint64_t ept_vpid_cap;      /* IA32_VMX_EPT_VPID_CAP as read at creation (SDM Vol. 3 §A.10) */
    uint64_t ram_quota;         /* effective RAM quota in pages (cfg.memory_quota_pages, or all of RAM) */
    /* Guest-physical regions (hv_vm_add_region); the RAM [0, cfg.memory_size) is implicit. */
    unsigned nregions;
    struct hv_region regions[HV_REGIONS_MAX];
    uint16_t vpid;
    uint64_t pages_owned;       /* pages this VM holds from the allocator */
    /* Controls as fitted to the CPU (SDM Vol. 3 §25.6-25.8). */
    uint32_t pin, proc, proc2, exit_ctls, entry_ctls;
    /* The vCPU (one per VM). */
    struct hv_guest_gprs gprs;
    bool halted;
    uint64_t xcr0;
    uint64_t tsc_aux;
    /* Virtualized MSR state the guest sees (the rest passes through or is switched by the MSR areas). */
    uint64_t guest_apic_base;
    uint64_t guest_misc_enable;
    uint8_t vtpr; /* CR8 (TPR[7:4]) when there is no TPR shadow (SDM Vol. 3 §11.8.6.1): exits/cr.c */
    /* Devices. */
    struct hv_devices dev;
    unsigned nports;
    struct hv_port_range ports[HV_PORT_RANGES_MAX];
    struct hv_vm_stats stats;
};

/* Bring VMX up on one logical processor: GenuineIntel, CPUID.1:ECX.VMX, IA32_FEATURE_CONTROL (locked with
 * "VMXON outside SMX" when unlocked), CR0/CR4 fixed bits, VMXON region with the revision identifier, VMXON. */
enum hv_err hv_cpu_init(struct hv_cpu *cpu, struct hv_arch_cpu *arch);
/* VMXOFF and free the VMXON region; restores CR4.VMXE and CR0 as they were. */
void hv_cpu_fini(struct hv_cpu *cpu);

/* Create a VM on cpu. On failure every page taken so far is returned and vm->message says why. */
enum hv_err hv_vm_create(struct hv_vm *vm, struct hv_cpu *cpu, const struct hv_vm_config *cfg);
/* Return every page of the VM (VMCLEAR first). Safe on a dead VM and on a VM whose creation failed. */
void hv_vm_destroy(struct hv_vm *vm);

/* Add a guest-physical region (ROM, MMIO, MMIO_NP) to a created VM. gpa and size 4-KiB aligned, size > 0,
 * the range below the guest-physical width (MAXPHYADDR), an MMIO region needs a handler. A ROM region is
 * backed (zeroed) at once; fill it with hv_gpa_write. A region over RAM punches a hole into it.
 * HV_ERR_BAD_CONFIG / HV_ERR_NO_MEMORY / HV_ERR_STATE with vm->message saying why (the VM stays usable). */
enum hv_err hv_vm_add_region(struct hv_vm *vm, const struct hv_region *r);

/* Whether [gpa, gpa + len) lies entirely in the VM's RAM (not a region, not beyond memory_size): the check
 * for every guest-physical address a hypercall or IPC receives. len 0 is false. */
bool hv_gpa_is_ram(struct hv_vm *vm, uint64_t gpa, uint64_t len);

/* Claim a range of I/O ports for the VM (the core then intercepts them in the I/O bitmaps). */
enum hv_err hv_vm_add_ports(struct hv_vm *vm, const struct hv_port_range *range);

enum hv_step_result {
    HV_STEP_CONTINUE = 0, /* the exit was handled; the guest can run again */
    HV_STEP_HALTED,       /* the guest halted and nothing can wake it */
    HV_STEP_KILLED,       /* the VM is dead; vm->message says why */
};
/* One VM entry, one VM exit, its handler. */
enum hv_step_result hv_vcpu_step(struct hv_vm *vm);
/* Steps until the VM halts for good or dies, at most max_exits exits (0: no limit). */
enum hv_step_result hv_vcpu_run(struct hv_vm *vm, uint64_t max_exits);

/* Copy to/from guest-physical memory (guest_mem.c): how a host loads a program or reads a guest buffer.
 * Works on RAM and ROM; false, copying nothing, when any byte is neither (MMIO, unmapped). A write to an
 * unbacked RAM page backs it (counted against the quota; false when the quota is exhausted); a read of an
 * unbacked RAM page reads zeros without backing it. */
bool hv_gpa_read(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len);
bool hv_gpa_write(struct hv_vm *vm, uint64_t gpa, const void *buf, size_t len);

/* ---- devices, host side (hv/dev.h) ---------------------------------------------------------------------
 * A byte for the guest's COM1 receiver (HV_DEV_UART): into the receive FIFO; when it is full the byte is lost
 * and LSR.OE set, as on the 16550. Ignored when the VM has no UART or is dead. */
void hv_vm_serial_input(struct hv_vm *vm, uint8_t byte);
/* A host->guest message (HV_DEV_IPC): written as one entry into the guest's receive ring (layout in
 * hv/hypercall.h), then the guest's chosen vector is made pending. HV_ERR_STATE when no ring is registered,
 * the guest broke the ring's header, or the ring has no room; HV_ERR_BAD_CONFIG when len is 0 or above
 * HV_IPC_MSG_MAX. vm->message says why; the VM stays alive (a full ring is the guest's choice). */
enum hv_err hv_vm_send_message(struct hv_vm *vm, const void *data, size_t len);
/* The next guest->host message from the guest's transmit ring into buf (at most cap bytes): its length, 0
 * when the ring is empty, or -1 when the guest corrupted the ring (vm->message says how; the ring is then
 * disabled) or cap is too small (nothing consumed). */
long hv_vm_receive_message(struct hv_vm *vm, void *buf, size_t cap);

/* Kill the VM with a reason (printf-like subset: %s %d %u %x %lx %llx %llu). Always returns HV_EXIT_KILL. */
enum hv_exit_action hv_vm_kill(struct hv_vm *vm, const char *fmt, ...);

#endif
