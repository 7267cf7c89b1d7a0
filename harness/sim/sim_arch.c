/* arch.h implemented on the simulated machine: each hv_arch_* call is the sim's model of the instruction or
 * operation (DESIGN §2). VMX instructions delegate to sim_vmx*.c; the rest is small enough to live here. */
#include "sim_msr.h"
#include "sim_vmx.h"

#include <hv/exit_reasons.h>
#include <hv/x86.h>
#include <string.h>

/* IA32_FEATURE_CONTROL bits the model knows (SDM Vol. 4 Table 2-2): lock, VMX in/outside SMX, SENTER
 * enables 14:8, SENTER global 15, SGX launch control 17, SGX 18, LMCE 20. Others are reserved (#GP). */
#define FEATURE_CONTROL_DEFINED 0x16ff07ull

struct hv_vmx_result hv_arch_vmxon(struct hv_arch_cpu *cpu, hv_paddr_t r) { return sim_vmx_vmxon(cpu, r); }
struct hv_vmx_result hv_arch_vmxoff(struct hv_arch_cpu *cpu) { return sim_vmx_vmxoff(cpu); }
struct hv_vmx_result hv_arch_vmclear(struct hv_arch_cpu *cpu, hv_paddr_t v) { return sim_vmx_vmclear(cpu, v); }
struct hv_vmx_result hv_arch_vmptrld(struct hv_arch_cpu *cpu, hv_paddr_t v) { return sim_vmx_vmptrld(cpu, v); }
struct hv_vmx_result hv_arch_vmptrst(struct hv_arch_cpu *cpu, hv_paddr_t *v) { return sim_vmx_vmptrst(cpu, v); }

struct hv_vmx_result hv_arch_vmread(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t *value)
{
    return sim_vmx_vmread(cpu, encoding, value);
}

struct hv_vmx_result hv_arch_vmwrite(struct hv_arch_cpu *cpu, uint64_t encoding, uint64_t value)
{
    return sim_vmx_vmwrite(cpu, encoding, value);
}

struct hv_vmx_result hv_arch_invept(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invept_desc *desc)
{
    return sim_vmx_invept(cpu, type, desc);
}

struct hv_vmx_result hv_arch_invvpid(struct hv_arch_cpu *cpu, uint64_t type, const struct hv_invvpid_desc *desc)
{
    return sim_vmx_invvpid(cpu, type, desc);
}

struct hv_vmx_result hv_arch_vmenter(struct hv_arch_cpu *cpu, bool launch, struct hv_guest_gprs *gprs)
{
    struct sim_entry e = sim_vmx_vmentry(cpu, launch);
    if (e.kind != SIM_ENTRY_ENTERED)
        return e.result;
    /* The guest runs until it causes an exit: the one-shot exit a test or scenario set, else the guest model,
     * else a triple fault (a guest with nothing to run can do nothing else). */
    struct hv_guest_gprs scratch;
    if (!gprs) {
        memset(&scratch, 0, sizeof scratch);
        gprs = &scratch;
    }
    struct sim_exit x = {.reason = HV_EXIT_TRIPLE_FAULT};
    if (cpu->next_exit_pending) {
        x = cpu->next_exit;
        cpu->next_exit_pending = false;
    } else if (cpu->guest) {
        cpu->guest(cpu, gprs, &x, cpu->guest_opaque);
    }
    sim_vmx_vmexit(cpu, &x);
    return e.result;
}

void hv_arch_cpuid(struct hv_arch_cpu *cpu, uint32_t leaf, uint32_t subleaf, struct hv_cpuid_regs *out)
{
    uint32_t r[4];
    sim_profile_cpuid(sim_machine_profile(cpu->m), leaf, subleaf, r);
    *out = (struct hv_cpuid_regs){.eax = r[0], .ebx = r[1], .ecx = r[2], .edx = r[3]};
}

/* Reset values of the MSRs the model implements that are not 0 (SDM Vol. 3 §13.12.4: IA32_PAT). */
static uint64_t msr_reset_value(uint32_t msr)
{
    return msr == MSR_IA32_PAT ? 0x0007040600070406ull : 0;
}

static int msr_slot(const struct hv_arch_cpu *cpu, uint32_t msr)
{
    for (unsigned i = 0; i < cpu->nmsrs; i++)
        if (cpu->msrs[i].index == msr)
            return (int)i;
    return -1;
}

bool hv_arch_rdmsr(struct hv_arch_cpu *cpu, uint32_t msr, uint64_t *value)
{
    const struct sim_profile *p = sim_machine_profile(cpu->m);
    uint64_t v;
    if (msr == MSR_IA32_FEATURE_CONTROL) {
        v = cpu->feature_control;
    } else if (msr == MSR_IA32_EFER) {
        v = cpu->efer;
    } else if (msr >= SIM_VMX_MSR_FIRST && msr < SIM_VMX_MSR_FIRST + SIM_VMX_MSR_COUNT) {
        /* The VMX capability MSRs, with the profile's existence rules (§A). */
        if (!sim_profile_rdmsr(p, msr, &v))
            return false;
    } else if (sim_msr_implemented(p, msr)) {
        int i = msr_slot(cpu, msr);
        v = i >= 0 ? cpu->msrs[i].value : msr_reset_value(msr);
    } else {
        return false; /* RDMSR of an MSR the processor does not have: #GP(0) */
    }
    if (value)
        *value = v;
    return true;
}

bool hv_arch_wrmsr(struct hv_arch_cpu *cpu, uint32_t msr, uint64_t value)
{
    const struct sim_profile *p = sim_machine_profile(cpu->m);
    if (msr == MSR_IA32_FEATURE_CONTROL) {
        /* SDM Vol. 3 §24.7: once the lock bit is set the MSR cannot be modified until reset: WRMSR #GPs, as
         * it does for reserved bits. Unlocked (a profile may start so) the BIOS's job falls to the core. */
        if (cpu->feature_control & 1u) {
            sim_cpu_raise(cpu, SIM_INSN_WRMSR, VEC_GP, "WRMSR IA32_FEATURE_CONTROL: locked -> #GP(0)");
            return false;
        }
        if (value & ~FEATURE_CONTROL_DEFINED) {
            sim_cpu_raise(cpu, SIM_INSN_WRMSR, VEC_GP, "WRMSR IA32_FEATURE_CONTROL: reserved bit -> #GP(0)");
            return false;
        }
        cpu->feature_control = value;
        return true;
    }
    if (msr == MSR_IA32_EFER) {
        /* Reserved bits, or LME changed while CR0.PG = 1: #GP; LMA is read-only (sim_msr.h). */
        if (!sim_msr_efer_write_allowed_in(p, cpu->cr0, cpu->efer, value)) {
            sim_cpu_raise(cpu, SIM_INSN_WRMSR, VEC_GP, "WRMSR IA32_EFER: value not allowed -> #GP(0)");
            return false;
        }
        cpu->efer = (value & ~EFER_LMA) | (cpu->efer & EFER_LMA);
        return true;
    }
    /* Everything else: as sim_msr.c says the processor takes it (capability MSRs are read-only, unknown
     * MSRs do not exist, values are checked). */
    if (!sim_msr_write_allowed(p, msr, value)) {
        sim_cpu_raise(cpu, SIM_INSN_WRMSR, VEC_GP, "WRMSR: MSR not writable or value not allowed -> #GP(0)");
        return false;
    }
    int i = msr_slot(cpu, msr);
    if (i < 0) {
        if (cpu->nmsrs == SIM_CPU_MSR_SLOTS) {
            /* More distinct MSRs than the model keeps: a limit of the model, not of the processor. */
            sim_machine_log(cpu->m, cpu->id, "sim: WRMSR store full, value dropped");
            return true;
        }
        i = (int)cpu->nmsrs++;
        cpu->msrs[i].index = msr;
    }
    cpu->msrs[i].value = value;
    return true;
}

uint64_t hv_arch_read_cr0(struct hv_arch_cpu *cpu) { return cpu->cr0; }
uint64_t hv_arch_read_cr3(struct hv_arch_cpu *cpu) { return cpu->cr3; }
uint64_t hv_arch_read_cr4(struct hv_arch_cpu *cpu) { return cpu->cr4; }

void hv_arch_write_cr0(struct hv_arch_cpu *cpu, uint64_t value)
{
    /* SDM Vol. 3 §2.5 / MOV CR: bits 63:32 set, or PG = 1 with PE = 0 -> #GP(0). In VMX operation a bit
     * fixed by IA32_VMX_CR0_FIXED0/1 may not change (§24.8). A faulting write changes nothing. */
    if (value >> 32)
        sim_cpu_raise(cpu, SIM_INSN_MOV_CR, VEC_GP, "MOV CR0: bits 63:32 set -> #GP(0)");
    else if ((value & CR0_PG) && !(value & CR0_PE))
        sim_cpu_raise(cpu, SIM_INSN_MOV_CR, VEC_GP, "MOV CR0: PG = 1 with PE = 0 -> #GP(0)");
    else if ((cpu->efer & EFER_LMA) && !(value & CR0_PG))
        /* Leaving IA-32e mode by clearing PG from 64-bit code #GPs (§9.8.5.4: only compatibility mode may). */
        sim_cpu_raise(cpu, SIM_INSN_MOV_CR, VEC_GP, "MOV CR0: PG = 0 in 64-bit mode -> #GP(0)");
    else if (cpu->in_vmx_operation && !sim_cr0_ok_for_vmx(sim_machine_profile(cpu->m), value))
        sim_cpu_raise(cpu, SIM_INSN_MOV_CR, VEC_GP,
                      "MOV CR0: value not allowed in VMX operation (IA32_VMX_CR0_FIXED0/1) -> #GP(0) (SDM Vol. 3 §24.8)");
    else
        cpu->cr0 = value;
}

void hv_arch_write_cr4(struct hv_arch_cpu *cpu, uint64_t value)
{
    /* Bits the processor does not have are reserved (#GP); IA32_VMX_CR4_FIXED1 lists the ones it has
     * (§A.8). In IA-32e mode PAE may not be cleared. In VMX operation fixed bits may not change: CR4.VMXE
     * cannot be cleared (§24.8). */
    const struct sim_profile *p = sim_machine_profile(cpu->m);
    if (value & ~sim_profile_vmx_msr(p, MSR_IA32_VMX_CR4_FIXED1))
        sim_cpu_raise(cpu, SIM_INSN_MOV_CR, VEC_GP, "MOV CR4: reserved bit set -> #GP(0)");
    else if ((cpu->efer & EFER_LMA) && !(value & CR4_PAE))
        sim_cpu_raise(cpu, SIM_INSN_MOV_CR, VEC_GP, "MOV CR4: PAE = 0 in IA-32e mode -> #GP(0)");
    else if (cpu->in_vmx_operation && !sim_cr4_ok_for_vmx(p, value))
        sim_cpu_raise(cpu, SIM_INSN_MOV_CR, VEC_GP,
                      "MOV CR4: value not allowed in VMX operation (IA32_VMX_CR4_FIXED0/1) -> #GP(0) (SDM Vol. 3 §24.8)");
    else
        cpu->cr4 = value;
}

hv_paddr_t hv_arch_page_alloc(struct hv_arch_cpu *cpu) { return sim_page_alloc(cpu->m); }
void hv_arch_page_free(struct hv_arch_cpu *cpu, hv_paddr_t page) { sim_page_free(cpu->m, page); }

void *hv_arch_phys_to_virt(struct hv_arch_cpu *cpu, hv_paddr_t pa)
{
    /* Only what the pool handed out (arch.h): the core has no business with other frames. */
    uint32_t owner = sim_page_owner(cpu->m, pa);
    if (owner == SIM_OWNER_FREE || owner == SIM_OWNER_NONE)
        return NULL;
    return sim_phys_ptr(cpu->m, pa, 1);
}

void hv_arch_log(struct hv_arch_cpu *cpu, const char *line) { sim_machine_log(cpu->m, cpu->id, line); }
