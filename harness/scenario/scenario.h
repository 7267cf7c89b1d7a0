/* Scenarios (DESIGN §4): one format for fuzz inputs, corpora, recordings and reproductions.
 *
 * A scenario is a header (format version, magic, CPU profile, VM configuration) and a list of records. The
 * binary layout is specified in docs/scenario-format.md; this is the in-memory form both the parser and
 * the writer use, and what the replay engine runs.
 *
 * Semantic records say what the guest does ("executes CPUID with EAX=0"); the sim resolves each against the
 * core's *current* controls, bitmaps and masks, as a processor would: an OUT to a port the I/O bitmap does
 * not intercept causes no VM exit. Raw records set state, force an exit, or inject a fault. */
#ifndef HVS_SCENARIO_H
#define HVS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HVS_VERSION 1
#define HVS_MAX_RECORDS 65536
#define HVS_MAX_MEM_BYTES 4096 /* payload of one SET_MEM record */
#define HVS_PROFILE_MAX 32

enum hvs_record_type {
    /* semantic events (0x01-0x2f) */
    HVS_CPUID = 0x01,         /* eax, ecx */
    HVS_PORT_OUT = 0x02,      /* port, size (1, 2, 4), value */
    HVS_PORT_IN = 0x03,       /* port, size */
    HVS_RDMSR = 0x04,         /* msr */
    HVS_WRMSR = 0x05,         /* msr, value */
    HVS_VMCALL = 0x06,        /* rax (number), rbx, rcx, rdx, rsi (arguments) */
    HVS_HLT = 0x07,
    HVS_EXT_INTERRUPT = 0x08, /* vector: an external interrupt arrives */
    HVS_MOV_TO_CR = 0x09,     /* cr (0, 3, 4, 8), gpr (0-15), value */
    HVS_MOV_FROM_CR = 0x0a,   /* cr, gpr */
    HVS_CLTS = 0x0b,
    HVS_LMSW = 0x0c,          /* value (16 bits) */
    HVS_XSETBV = 0x0d,        /* ecx, value (EDX:EAX) */
    HVS_INVD = 0x0e,
    HVS_WBINVD = 0x0f,
    HVS_RDTSC = 0x10,
    HVS_RDTSCP = 0x11,
    HVS_VMX_INSN = 0x12,      /* exit: the basic exit reason of the VMX instruction (19-27, 50, 53, 59) */
    HVS_EXCEPTION = 0x13,     /* vector, has_error, error: the guest raises an exception */
    HVS_TRIPLE_FAULT = 0x14,
    HVS_PREEMPTION_TIMER = 0x15, /* the VMX-preemption timer counts down to 0 */
    HVS_NMI = 0x16,           /* a non-maskable interrupt arrives */
    HVS_MEM_ACCESS = 0x17,    /* gpa, access (1 read, 2 write, 4 fetch), size (1, 2, 4, 8), value, instr_len (1-15):
                               * the guest accesses guest-physical memory, resolved through the sim's EPT walker */
    HVS_MEM_INSN = 0x18,      /* gpa, access (1 read, 2 write, 4 fetch), value, bytes (the instruction, 1-15): the
                               * guest executes these instruction bytes, which access guest-physical memory at gpa;
                               * value is what an MMIO device answers to a read */
    /* host events (0x30-0x3f): what the host does to the VM's devices while the guest runs (issue 6) */
    HVS_KEY = 0x30,           /* code, ascii: a key event (code a scancode-set-1 byte, or with ascii = 1 a character
                               * pressed and released) for the i8042 (hv_vm_key_event) */
    HVS_SERIAL_IN = 0x31,     /* byte: a byte arrives on COM1's receive line (hv_vm_serial_input) */
    HVS_WAIT = 0x32,          /* ns: virtual time passes while the guest runs without exits */
    HVS_HOST_MSG = 0x33,      /* bytes: a host->guest IPC message (hv_vm_send_message) */
    /* raw events (0x40-0x7f) */
    HVS_SET_GPR = 0x40,       /* reg (HVS_REG_*), value */
    HVS_SET_MEM = 0x41,       /* gpa, bytes */
    HVS_FORCE_EXIT = 0x42,    /* reason (exit-reason field), qualification, instr_len, instr_info */
    HVS_FAIL_ALLOC = 0x43,    /* after: the allocation after `after` more successful ones fails */
    HVS_FAIL_VMX = 0x44,      /* insn (enum sim_insn), status (1 VMfailInvalid, 2 VMfailValid), error */
    HVS_CONFIG_QUOTA = 0x45,  /* pages: the VM's RAM quota (hv_vm_config.memory_quota_pages); counts only
                               * among the leading records, before the VM is created */
    HVS_CONFIG_DEVICES = 0x47,/* devices, fb_gpa, fb_width, fb_height: the VM's virtual hardware (hv_vm_config.devices,
                               * HV_DEV_* bits, and the framebuffer); counts only among the leading records */
    HVS_MMIO_REGION = 0x46,   /* gpa, size, kind (2 MMIO by misconfiguration, 3 MMIO by not-present entries):
                               * the replay adds an MMIO region (hv_vm_add_region) served by its own device */
};

/* Register numbers of HVS_SET_GPR / HVS_MOV_*_CR: 0-15 in the SDM's encoding order (Vol. 3 §28.2.1,
 * Table 28-3: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15), then the VMCS-held registers. */
enum hvs_reg {
    HVS_REG_RAX = 0, HVS_REG_RCX, HVS_REG_RDX, HVS_REG_RBX, HVS_REG_RSP, HVS_REG_RBP, HVS_REG_RSI, HVS_REG_RDI,
    HVS_REG_R8, HVS_REG_R9, HVS_REG_R10, HVS_REG_R11, HVS_REG_R12, HVS_REG_R13, HVS_REG_R14, HVS_REG_R15,
    HVS_REG_RIP = 16, HVS_REG_RFLAGS = 17,
    HVS_REG_COUNT
};

struct hvs_record {
    uint8_t type;       /* enum hvs_record_type */
    size_t offset;      /* byte offset of the record in the file (for messages) */
    /* Payload, by type (unused members 0): */
    uint64_t a, b, c, d, e; /* the numeric fields in the order the type's comment lists them */
    uint8_t *bytes;         /* HVS_SET_MEM: owned by the scenario */
    size_t nbytes;
};

enum hvs_guest_mode { HVS_MODE_PROGRAM64 = 0, HVS_MODE_REAL = 1 };

struct hvs_header {
    uint8_t version;
    char profile[HVS_PROFILE_MAX + 1];
    uint32_t memory_pages; /* guest RAM, 4-KiB pages */
    uint8_t guest_mode;    /* enum hvs_guest_mode */
    uint64_t entry, stack;
};

struct hvs_scenario {
    struct hvs_header header;
    size_t nrecords;
    struct hvs_record *records;
};

/* Parse bytes. On error returns -1 and writes "byte N: reason" into err; the scenario is then empty. */
int hvs_parse(struct hvs_scenario *s, const uint8_t *data, size_t len, char *err, size_t errlen);
void hvs_free(struct hvs_scenario *s);
/* Serialize; returns a malloc'd buffer and its length (NULL on out of memory). */
uint8_t *hvs_write(const struct hvs_scenario *s, size_t *len);
/* The record type's name ("cpuid", "port-out", ...) or NULL for an unknown type. */
const char *hvs_record_name(uint8_t type);
/* Whether a record of this type configures the VM when it leads the file (config-quota, config-devices and the
 * fault injections armed before bring-up): the leading run of such records is applied before the VM exists. */
bool hvs_is_setup_record(uint8_t type);

#endif
