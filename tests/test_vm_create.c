/* VM creation and destruction (hv_vm_create / hv_vm_destroy): controls fitted per profile, a VMCS that passes
 * the sim's full VM-entry checks, guest memory behind EPT, every allocation failure unwound. */
#include "core.h"
#include "guest_mem.h"
#include "sim_machine.h"
#include "sim_profile.h"
#include "sim_vmcs.h"
#include "testlib.h"

#include <hv/msr.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <hv/vmx_errors.h>
#include <hv/x86.h>
#include <string.h>

#define MIB (1ull << 20)

static const char *const ept_profiles[] = {"bochs-haswell", "bochs-skylake-x", "bochs-sandybridge", "max"};
static const char *const no_ept_profiles[] = {"bochs-penryn", "minimal"};

struct env {
    struct sim_machine *m;
    struct hv_arch_cpu *a;
    struct hv_cpu cpu;
};

static void env_up(struct env *e, const char *profile, size_t pages)
{
    memset(e, 0, sizeof *e);
    e->m = sim_machine_create(sim_profile_find(profile), pages, 1);
    CHECK(e->m != NULL);
    e->a = sim_machine_cpu(e->m, 0);
    CHECK_EQ_U64(hv_cpu_init(&e->cpu, e->a), HV_OK);
}

static void env_down(struct env *e)
{
    hv_cpu_fini(&e->cpu);
    CHECK_EQ_U64(sim_pages_in_use(e->m), 0);
    CHECK_EQ_U64(sim_bad_frees(e->m), 0);
    CHECK_EQ_U64(sim_cpu_fault_count(e->a), 0);
    sim_machine_destroy(e->m);
}

static struct hv_vm_config program64(uint64_t size)
{
    return (struct hv_vm_config){.memory_size = size, .mode = HV_GUEST_PROGRAM64, .entry = 0x1000, .stack = 0x8000};
}

/* One VM entry with a CPUID exit prepared; the entry must pass every check. */
static void enter_once(struct env *e, struct hv_vm *vm)
{
    uint64_t before = e->a->vm_entries;
    sim_cpu_set_next_exit(e->a, 10 /* CPUID */, 0, 2);
    hv_vcpu_step(vm);
    if (e->a->last_entry.rule)
        fprintf(stderr, "entry check failed: %s (%s)\n", e->a->last_entry.rule->name, e->a->last_entry.rule->sdm);
    CHECK(e->a->last_entry.rule == NULL);
    CHECK_EQ_U64(e->a->last_entry.kind, EC_OK);
    CHECK_EQ_U64(e->a->vm_entries, before + 1);
    /* whatever the exit handler made of it, the entry itself did not fail */
    CHECK(strstr(vm->message, "VM entry failed") == NULL);
    CHECK(strstr(vm->message, "VM-entry failure") == NULL);
}

TEST_CASE(create_and_enter_program64_on_every_ept_profile)
{
    for (size_t i = 0; i < sizeof ept_profiles / sizeof ept_profiles[0]; i++) {
        struct env e;
        env_up(&e, ept_profiles[i], 1024);
        size_t base = sim_pages_in_use(e.m);
        struct hv_vm_config cfg = program64(MIB);
        struct hv_vm vm;
        enum hv_err err = hv_vm_create(&vm, &e.cpu, &cfg);
        if (err)
            fprintf(stderr, "%s: %s\n", ept_profiles[i], vm.message);
        CHECK_EQ_U64(err, HV_OK);
        CHECK(vm.created);
        CHECK_EQ_U64(vm.pages_owned, sim_pages_in_use(e.m) - base);
        enter_once(&e, &vm);
        hv_vm_destroy(&vm);
        CHECK_EQ_U64(vm.pages_owned, 0);
        CHECK_EQ_U64(sim_pages_in_use(e.m), base); /* pool balance */
        env_down(&e);
    }
}

TEST_CASE(create_and_enter_real_mode_where_unrestricted_guest)
{
    unsigned entered = 0;
    for (size_t i = 0; i < sim_profile_count(); i++) {
        const struct sim_profile *p = sim_profile_at(i);
        struct env e;
        env_up(&e, p->name, 1024);
        uint64_t proc2 = 0;
        hv_arch_rdmsr(e.a, MSR_IA32_VMX_PROCBASED_CTLS2, &proc2);
        bool ug = ((proc2 >> 32) & PROC2_UNRESTRICTED_GUEST) && ((proc2 >> 32) & PROC2_ENABLE_EPT);
        struct hv_vm_config cfg = {.memory_size = MIB, .mode = HV_GUEST_REAL_MODE, .entry = 0x7c00, .stack = 0x7000};
        struct hv_vm vm;
        enum hv_err err = hv_vm_create(&vm, &e.cpu, &cfg);
        if (ug) {
            if (err)
                fprintf(stderr, "%s: %s\n", p->name, vm.message);
            CHECK_EQ_U64(err, HV_OK);
            CHECK_EQ_U64(vm.entry_ctls & ENTRY_IA32E_MODE_GUEST, 0);
            CHECK(vm.proc2 & PROC2_UNRESTRICTED_GUEST);
            enter_once(&e, &vm);
            entered++;
        } else {
            CHECK_EQ_U64(err, HV_ERR_CONTROL_UNSUPPORTED);
            CHECK(strstr(vm.message, "profile lacks") != NULL);
        }
        hv_vm_destroy(&vm);
        env_down(&e);
    }
    CHECK(entered >= 1);
}

TEST_CASE(refused_without_ept)
{
    for (size_t i = 0; i < 2; i++) {
        struct env e;
        env_up(&e, no_ept_profiles[i], 1024);
        size_t base = sim_pages_in_use(e.m);
        struct hv_vm_config cfg = program64(MIB);
        struct hv_vm vm;
        CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_ERR_CONTROL_UNSUPPORTED);
        CHECK_EQ_U64(vm.err, HV_ERR_CONTROL_UNSUPPORTED);
        CHECK(strstr(vm.message, "profile lacks 'enable EPT'") != NULL);
        CHECK(strstr(vm.message, "§25.6.2") != NULL);
        CHECK(strstr(vm.message, "expose host memory") != NULL);
        CHECK(!vm.created);
        CHECK_EQ_U64(sim_pages_in_use(e.m), base);
        hv_vm_destroy(&vm); /* safe on a VM whose creation failed */
        CHECK_EQ_U64(vm.err, HV_ERR_CONTROL_UNSUPPORTED);
        env_down(&e);
    }
}

TEST_CASE(memory_config_validation)
{
    struct env e;
    env_up(&e, "bochs-haswell", 1024);
    const uint64_t bad[] = {0, 4096, MIB - 4096, MIB + 1, MIB + 2048, HV_VM_MAX_MEMORY + 4096, ~0ull & ~4095ull};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hv_vm_config cfg = program64(bad[i]);
        struct hv_vm vm;
        CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_ERR_BAD_CONFIG);
        CHECK(strstr(vm.message, "memory_size") != NULL);
        CHECK_EQ_U64(sim_pages_in_use(e.m), 1);
    }
    struct hv_vm vm;
    struct hv_vm_config cfg = program64(MIB);
    cfg.entry = MIB - 4096; /* inside the guest's system pages */
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_ERR_BAD_CONFIG);
    cfg = program64(MIB);
    cfg.mode = (enum hv_guest_mode)7;
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_ERR_BAD_CONFIG);
    cfg = (struct hv_vm_config){.memory_size = MIB, .mode = HV_GUEST_REAL_MODE, .entry = 0x10000};
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_ERR_BAD_CONFIG);
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, NULL), HV_ERR_BAD_CONFIG);
    /* a CPU not in VMX operation */
    struct hv_cpu off = {0};
    cfg = program64(MIB);
    CHECK_EQ_U64(hv_vm_create(&vm, &off, &cfg), HV_ERR_STATE);
    CHECK_EQ_U64(sim_pages_in_use(e.m), 1);
    env_down(&e);
}

TEST_CASE(every_allocation_failure_point_unwinds)
{
    struct env e;
    env_up(&e, "bochs-haswell", 1024);
    size_t base = sim_pages_in_use(e.m);
    struct hv_vm_config cfg = program64(MIB);
    struct hv_vm vm;
    unsigned n;
    for (n = 0; n < 2000; n++) {
        sim_inject_page_alloc_failure(e.m, n);
        enum hv_err err = hv_vm_create(&vm, &e.cpu, &cfg);
        if (err == HV_OK)
            break;
        CHECK_EQ_U64(err, HV_ERR_NO_MEMORY);
        CHECK(strstr(vm.message, "out of pages") != NULL);
        CHECK_EQ_U64(vm.pages_owned, 0);
        CHECK_EQ_U64(sim_pages_in_use(e.m), base);
        CHECK(!vm.created);
    }
    sim_inject_clear(e.m);
    CHECK(vm.created);
    /* 6 VMCS/bitmap/MSR-area pages, the EPT root and 3 tables under it, the 5 system pages the core writes
     * (page tables, GDT+IDT, TSS; RAM is otherwise lazy): every one of them was a failure point */
    CHECK(n >= 6 + 4 + 5);
    CHECK_EQ_U64(vm.stats.ram_pages_backed, HV_GUEST_SYS_PAGES);
    CHECK_EQ_U64(vm.pages_owned, n);
    enter_once(&e, &vm);
    hv_vm_destroy(&vm);
    CHECK_EQ_U64(sim_pages_in_use(e.m), base);
    env_down(&e);
}

/* Walk the guest's own 4-level page tables (SDM Vol. 3 §4.5) through hv_gpa_read, as the guest's MMU would. */
static bool guest_translate(struct hv_vm *vm, uint64_t cr3, uint64_t la, uint64_t *gpa)
{
    uint64_t table = cr3 & 0x000ffffffffff000ull;
    for (int level = 3; level >= 0; level--) {
        uint64_t e;
        if (!hv_gpa_read(vm, table + 8 * ((la >> (12 + 9 * level)) & 511), &e, 8) || !(e & 1))
            return false;
        if (level == 1 && (e & (1u << 7))) {
            *gpa = (e & 0x000fffffffe00000ull) | (la & 0x1fffff);
            return true;
        }
        table = e & 0x000ffffffffff000ull;
    }
    *gpa = table | (la & 0xfff);
    return true;
}

TEST_CASE(guest_memory_and_page_tables_translate)
{
    struct env e;
    env_up(&e, "bochs-skylake-x", 2048);
    struct hv_vm_config cfg = program64(2 * MIB + 64 * 1024);
    struct hv_vm vm;
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_OK);

    /* write/read across a page boundary and a 2-MiB boundary */
    const char msg[] = "hvkit guest memory across pages";
    CHECK(hv_gpa_write(&vm, 0x1ff0, msg, sizeof msg));
    char back[sizeof msg] = {0};
    CHECK(hv_gpa_read(&vm, 0x1ff0, back, sizeof back));
    CHECK_STREQ(back, msg);
    uint64_t v = 0x1122334455667788ull, w = 0;
    CHECK(hv_gpa_write(&vm, 2 * MIB - 4, &v, 8));
    CHECK(hv_gpa_read(&vm, 2 * MIB - 4, &w, 8));
    CHECK_EQ_U64(w, v);
    /* the bytes are in the VM's own host page, found through its EPT */
    hv_paddr_t hpa = hv_ept_lookup(&vm, 0x1000);
    CHECK(hpa != 0);
    char direct[16];
    CHECK(sim_phys_read(e.m, hpa + 0xff0, direct, 16));
    CHECK(memcmp(direct, msg, 16) == 0);
    /* outside RAM, straddling the end, wrapping: refused, nothing copied */
    CHECK(!hv_gpa_read(&vm, cfg.memory_size, &w, 1));
    CHECK(!hv_gpa_write(&vm, cfg.memory_size - 4, &v, 8));
    CHECK(!hv_gpa_read(&vm, ~0ull - 3, &w, 8));
    CHECK(hv_gpa_read(&vm, 0, &w, 0));

    /* the guest's page tables (CR3 in the VMCS) map linear = physical over RAM */
    uint64_t *f = sim_vmcs_fields(e.m, vm.vmcs);
    CHECK(f != NULL);
    uint64_t cr3 = f[HV_VMCS_ORD_GUEST_CR3];
    CHECK_EQ_U64(cr3, HV_GUEST_PML4(cfg.memory_size));
    const uint64_t las[] = {0, 0x1ff0, 0x12345, 2 * MIB - 4, 2 * MIB + 0x1234, cfg.memory_size - 1};
    for (size_t i = 0; i < sizeof las / sizeof las[0]; i++) {
        uint64_t gpa = ~0ull;
        CHECK(guest_translate(&vm, cr3, las[i], &gpa));
        CHECK_EQ_U64(gpa, las[i]);
    }
    uint64_t gpa = 0;
    CHECK(!guest_translate(&vm, cr3, 1ull << 30, &gpa)); /* beyond the identity map */
    /* reading through the guest translation returns what was written */
    CHECK(guest_translate(&vm, cr3, 0x1ff0, &gpa));
    memset(back, 0, sizeof back);
    CHECK(hv_gpa_read(&vm, gpa, back, sizeof back));
    CHECK_STREQ(back, msg);
    /* every EPT leaf maps a page of the pool; RAM nobody wrote is not backed (lazy) and reads as zeros */
    uint64_t backed = 0;
    for (uint64_t g = 0; g < cfg.memory_size; g += 4096) {
        hv_paddr_t p = hv_ept_lookup(&vm, g);
        if (p) {
            backed++;
            CHECK(sim_page_owner(e.m, p) != SIM_OWNER_FREE);
        }
    }
    CHECK_EQ_U64(backed, vm.stats.ram_pages_backed);
    CHECK(hv_ept_lookup(&vm, 0x1000) && hv_ept_lookup(&vm, 0x2000) && hv_ept_lookup(&vm, 2 * MIB - 4096));
    CHECK(hv_ept_lookup(&vm, 0x10000) == 0);
    w = 1;
    CHECK(hv_gpa_read(&vm, 0x10000, &w, 8));
    CHECK_EQ_U64(w, 0);
    CHECK(hv_ept_lookup(&vm, 0x10000) == 0);
    hv_vm_destroy(&vm);
    env_down(&e);
}

TEST_CASE(vmcs_fields_as_designed)
{
    struct env e;
    env_up(&e, "max", 1024);
    struct hv_vm_config cfg = program64(MIB);
    struct hv_vm vm;
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_OK);
    uint64_t *f = sim_vmcs_fields(e.m, vm.vmcs);
    CHECK(f != NULL);
    CHECK_EQ_U64(e.a->current_vmcs, vm.vmcs);
    /* I/O bitmaps: every port exits */
    const uint8_t *ioa = hv_vm_page_ptr(&vm, f[HV_VMCS_ORD_IO_BITMAP_A]);
    const uint8_t *iob = hv_vm_page_ptr(&vm, f[HV_VMCS_ORD_IO_BITMAP_B]);
    CHECK(ioa && iob);
    for (int i = 0; i < 4096; i++)
        CHECK(ioa[i] == 0xff && iob[i] == 0xff);
    /* required controls present, optional ones taken on "max" */
    uint64_t pin = f[HV_VMCS_ORD_PIN_BASED_VM_EXEC_CONTROL], proc = f[HV_VMCS_ORD_PRIMARY_PROC_BASED_VM_EXEC_CONTROL];
    uint64_t proc2 = f[HV_VMCS_ORD_SECONDARY_PROC_BASED_VM_EXEC_CONTROL];
    CHECK((pin & (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING)) == (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING));
    CHECK(proc & PROC_HLT_EXITING);
    CHECK(proc & PROC_USE_IO_BITMAPS);
    CHECK(proc & PROC_USE_MSR_BITMAPS);
    CHECK(proc2 & PROC2_ENABLE_EPT);
    CHECK(proc2 & PROC2_ENABLE_VPID);
    CHECK(proc2 & PROC2_ENABLE_RDTSCP);
    CHECK(proc2 & PROC2_ENABLE_INVPCID);
    CHECK(proc2 & PROC2_ENABLE_XSAVES_XRSTORS);
    CHECK(f[HV_VMCS_ORD_PRIMARY_VM_EXIT_CONTROLS] & EXIT_HOST_ADDRESS_SPACE_SIZE);
    CHECK(f[HV_VMCS_ORD_VM_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST);
    /* EPTP: WB, 4-level, the VM's root */
    uint64_t eptp = f[HV_VMCS_ORD_EPT_POINTER];
    CHECK_EQ_U64(EPTP_MEMTYPE(eptp), EPT_MEMTYPE_WB);
    CHECK_EQ_U64(EPTP_WALK_MINUS_1(eptp), 3);
    CHECK_EQ_U64(eptp & ~0xfffull, vm.ept_root);
    CHECK(f[HV_VMCS_ORD_VIRTUAL_PROCESSOR_ID] != 0);
    /* CR4.VMXE owned and hidden */
    CHECK(f[HV_VMCS_ORD_CR4_GUEST_HOST_MASK] & CR4_VMXE);
    CHECK_EQ_U64(f[HV_VMCS_ORD_CR4_READ_SHADOW] & CR4_VMXE, 0);
    CHECK(f[HV_VMCS_ORD_GUEST_CR4] & CR4_VMXE);
    /* MSR areas: the SYSCALL MSRs + KERNEL_GS_BASE (+ TSC_AUX with RDTSCP), guest values 0, host values the host's */
    CHECK_EQ_U64(f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_COUNT], vm.msr_area_count);
    CHECK_EQ_U64(f[HV_VMCS_ORD_VM_EXIT_MSR_STORE_COUNT], vm.msr_area_count);
    CHECK_EQ_U64(f[HV_VMCS_ORD_VM_EXIT_MSR_LOAD_COUNT], vm.msr_area_count);
    CHECK_EQ_U64(vm.msr_area_count, 6);
    CHECK_EQ_U64(f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_ADDR], f[HV_VMCS_ORD_VM_EXIT_MSR_STORE_ADDR]);
    CHECK_EQ_U64(f[HV_VMCS_ORD_VM_ENTRY_MSR_LOAD_ADDR] & 15, 0);
    const uint32_t *host = hv_vm_page_ptr(&vm, f[HV_VMCS_ORD_VM_EXIT_MSR_LOAD_ADDR]);
    CHECK(host != NULL);
    CHECK_EQ_U64(host[0], MSR_IA32_STAR);
    CHECK_EQ_U64(host[4 * 5], MSR_IA32_TSC_AUX);
    CHECK_EQ_U64(f[HV_VMCS_ORD_VMCS_LINK_POINTER], ~0ull);
    CHECK_EQ_U64(f[HV_VMCS_ORD_GUEST_RIP], cfg.entry);
    CHECK_EQ_U64(f[HV_VMCS_ORD_GUEST_RSP], cfg.stack);
    CHECK_EQ_U64(f[HV_VMCS_ORD_EXCEPTION_BITMAP], 1u << 18);
    /* the host state is the sim host's */
    CHECK_EQ_U64(f[HV_VMCS_ORD_HOST_CS_SELECTOR], 0x08);
    CHECK_EQ_U64(f[HV_VMCS_ORD_HOST_TR_SELECTOR], 0x18);
    CHECK_EQ_U64(f[HV_VMCS_ORD_HOST_CR4], e.a->cr4);
    enter_once(&e, &vm);
    hv_vm_destroy(&vm);
    env_down(&e);
}

TEST_CASE(many_vms_on_one_cpu_destroyed_in_any_order)
{
    struct env e;
    env_up(&e, "bochs-haswell", 2048);
    size_t base = sim_pages_in_use(e.m);
    struct hv_vm vms[4];
    struct hv_vm_config cfg = program64(MIB);
    for (int i = 0; i < 4; i++)
        CHECK_EQ_U64(hv_vm_create(&vms[i], &e.cpu, &cfg), HV_OK);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++) {
            CHECK(vms[i].vmcs != vms[j].vmcs);
            CHECK(vms[i].ept_root != vms[j].ept_root);
            CHECK(vms[i].vpid != vms[j].vpid);
        }
    /* each VM's VMCS enters on its own (the test makes it current: the run loop does not switch VMCS) */
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_U64(hv_arch_vmptrld(e.a, vms[i].vmcs).status, HV_VMSUCCEED);
        enter_once(&e, &vms[i]);
    }
    /* separate memory: a write into one VM is not seen by another */
    uint32_t a = 0xa5a5a5a5u, b = 0;
    CHECK(hv_gpa_write(&vms[1], 0x2000, &a, 4));
    CHECK(hv_gpa_read(&vms[2], 0x2000, &b, 4));
    CHECK_EQ_U64(b, 0);
    const int order[] = {2, 0, 3, 1};
    for (int k = 0; k < 4; k++) {
        uint64_t owned = vms[order[k]].pages_owned;
        size_t before = sim_pages_in_use(e.m);
        hv_vm_destroy(&vms[order[k]]);
        CHECK_EQ_U64(sim_pages_in_use(e.m), before - owned);
        hv_vm_destroy(&vms[order[k]]); /* twice is harmless */
        CHECK_EQ_U64(sim_pages_in_use(e.m), before - owned);
    }
    CHECK_EQ_U64(sim_pages_in_use(e.m), base);
    env_down(&e);
}

TEST_CASE(vmx_failure_during_setup_unwinds)
{
    struct env e;
    env_up(&e, "bochs-haswell", 1024);
    size_t base = sim_pages_in_use(e.m);
    struct hv_vm_config cfg = program64(MIB);
    struct hv_vm vm;
    sim_inject_vmx_failure(e.m, SIM_INSN_VMPTRLD, HV_VMFAIL_VALID, HV_VMXERR_VMPTRLD_INVALID_ADDR);
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_ERR_VMX_INSTRUCTION);
    CHECK(strstr(vm.message, "VMPTRLD: VMfailValid(9)") != NULL);
    CHECK_EQ_U64(sim_pages_in_use(e.m), base);
    sim_inject_vmx_failure(e.m, SIM_INSN_VMWRITE, HV_VMFAIL_VALID, 12);
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_ERR_VMX_INSTRUCTION);
    CHECK(strstr(vm.message, "VMWRITE") != NULL);
    CHECK(!vm.dead);
    CHECK_EQ_U64(sim_pages_in_use(e.m), base);
    CHECK_EQ_U64(hv_vm_create(&vm, &e.cpu, &cfg), HV_OK);
    hv_vm_destroy(&vm);
    env_down(&e);
}
