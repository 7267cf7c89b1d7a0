/* Hostile input: long random sequences of VMX instructions with garbage operands, scribbles over VMCS regions
 * and CR/MSR writes. Nothing may crash (the sanitizers watch), and after every instruction the outcome must
 * be one the SDM allows: VMfailValid carries a §31.4 error number that the current VMCS's error field holds;
 * a fault leaves the result VMfailInvalid with error 0; the current VMCS, when there is one, is in memory. */
#include "sim_machine.h"
#include "sim_vmcs.h"
#include "sim_vmx.h"
#include "testlib.h"

#include <hv/vmx_errors.h>
#include <stdlib.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, so a failure reproduces */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static hv_paddr_t pick_addr(hv_paddr_t *pool, unsigned n)
{
    switch (rnd() % 10) {
    case 0:
        return rnd();
    case 1:
        return pool[rnd() % n] + (rnd() % 4096);
    case 2:
        return rnd() & ~0xfffull;
    default:
        return pool[rnd() % n];
    }
}

static uint64_t pick_encoding(void)
{
    switch (rnd() % 4) {
    case 0:
        return rnd();
    case 1:
        return rnd() & 0xffff;
    default:
        return hv_vmcs_field_table[rnd() % HV_VMCS_FIELD_COUNT].encoding | (rnd() & 1);
    }
}

static bool known_error(uint32_t e)
{
    return e == 2 || e == 3 || e == 4 || e == 5 || e == 6 || e == 7 || e == 8 || e == 9 || e == 10 || e == 11 ||
           e == 12 || e == 13 || e == 15 || e == 26 || e == 28;
}

static void run(const char *profile, uint64_t seed, unsigned steps)
{
    const struct sim_profile *p = sim_profile_find(profile);
    CHECK(p != NULL);
    if (!p)
        return;
    struct sim_machine *m = sim_machine_create(p, 32, 2);
    CHECK(m != NULL);
    rng_state = seed;
    uint32_t rev = (uint32_t)(sim_profile_vmx_msr(p, MSR_IA32_VMX_BASIC) & 0x7fffffffu);
    hv_paddr_t pool[12];
    for (unsigned i = 0; i < 12; i++) {
        pool[i] = sim_page_alloc(m);
        uint32_t r = (i % 4 == 3) ? (uint32_t)rnd() : rev | ((i % 5 == 4) ? 0x80000000u : 0);
        sim_phys_write(m, pool[i], &r, 4);
    }
    for (unsigned i = 0; i < 2; i++) {
        struct hv_arch_cpu *c = sim_machine_cpu(m, i);
        hv_arch_write_cr4(c, hv_arch_read_cr4(c) | 0x2000);
        uint64_t fc;
        if (hv_arch_rdmsr(c, MSR_IA32_FEATURE_CONTROL, &fc) && !(fc & 1))
            CHECK(hv_arch_wrmsr(c, MSR_IA32_FEATURE_CONTROL, 0x5)); /* the BIOS's job on the unlocked profiles */
    }
    unsigned outcomes[3] = {0, 0, 0};
    for (unsigned step = 0; step < steps; step++) {
        struct hv_arch_cpu *c = sim_machine_cpu(m, (unsigned)(rnd() & 1));
        struct hv_vmx_result r = {HV_VMSUCCEED, 0};
        uint64_t v = 0;
        switch (rnd() % 16) {
        case 0:
            r = hv_arch_vmxon(c, pick_addr(pool, 12));
            break;
        case 1:
            if (rnd() % 4)
                continue; /* VMXOFF rarely, so that sequences get deep into VMX operation */
            r = hv_arch_vmxoff(c);
            break;
        case 2:
            r = hv_arch_vmclear(c, pick_addr(pool, 12));
            break;
        case 3:
        case 4:
            r = hv_arch_vmptrld(c, pick_addr(pool, 12));
            break;
        case 5: {
            hv_paddr_t cur;
            r = hv_arch_vmptrst(c, &cur);
            break;
        }
        case 6:
            r = hv_arch_vmread(c, pick_encoding(), &v);
            break;
        case 7:
        case 8:
            r = hv_arch_vmwrite(c, pick_encoding(), rnd());
            break;
        case 9: {
            struct hv_guest_gprs g = {0};
            if (rnd() & 1)
                sim_cpu_set_next_exit(c, (uint32_t)rnd(), rnd(), (uint32_t)rnd());
            sim_cpu_set_mov_ss_blocking(c, rnd() % 8 == 0);
            r = hv_arch_vmenter(c, rnd() & 1, &g);
            break;
        }
        case 10: {
            struct hv_invept_desc d = {rnd(), rnd()};
            r = hv_arch_invept(c, rnd() % 4, &d);
            break;
        }
        case 11: {
            struct hv_invvpid_desc d = {rnd() % 3 ? rnd() & 0xffff : rnd(), rnd()};
            r = hv_arch_invvpid(c, rnd() % 5, &d);
            break;
        }
        case 12: {
            /* scribble over a region: the VMCS data is hostile memory too */
            uint64_t junk = rnd();
            sim_phys_write(m, pool[rnd() % 12] + (rnd() % 4089), &junk, 8);
            continue;
        }
        case 13:
            /* flip one CR bit now and then: sometimes legal, sometimes #GP */
            if (rnd() % 8 == 0)
                hv_arch_write_cr4(c, hv_arch_read_cr4(c) ^ (1ull << (rnd() % 24)));
            continue;
        case 14:
            if (!c->in_vmx_operation && (rnd() & 1)) {
                /* a VM exit may have loaded garbage host state (no host-state check forbids it on every
                 * profile the walk makes up): start the CPU over, as after a reset */
                c->cr0 = SIM_RESET_CR0;
                c->cr4 = SIM_RESET_CR4 | 0x2000;
                c->efer = SIM_RESET_EFER;
            } else if (rnd() % 8 == 0)
                hv_arch_write_cr0(c, hv_arch_read_cr0(c) ^ (1ull << (rnd() % 32)));
            continue;
        default: {
            uint64_t x;
            hv_arch_wrmsr(c, (uint32_t)(rnd() % 3 ? 0x277 + rnd() % 4 : rnd()), rnd());
            hv_arch_rdmsr(c, (uint32_t)rnd(), &x);
            continue;
        }
        }
        /* the outcome is one of the three, with an error only for VMfailValid */
        CHECK(r.status == HV_VMSUCCEED || r.status == HV_VMFAIL_INVALID || r.status == HV_VMFAIL_VALID);
        outcomes[r.status % 3]++;
        if (r.status != HV_VMFAIL_VALID)
            CHECK_EQ_U64(r.error, 0);
        if (c->fault.raised)
            CHECK_EQ_U64(r.status, HV_VMFAIL_INVALID);
        if (c->current_vmcs != SIM_NO_VMCS) {
            uint64_t *f = sim_vmcs_fields(m, c->current_vmcs);
            CHECK(f != NULL);
            CHECK(c->in_vmx_operation);
            /* VMfailValid names an error of §31.4 and the VMCS holds it */
            if (f && r.status == HV_VMFAIL_VALID) {
                CHECK(known_error(r.error));
                CHECK_EQ_U64(f[HV_VMCS_ORD_VM_INSTRUCTION_ERROR], r.error);
            }
        }
    }
    /* the walk got somewhere: plenty of each outcome */
    CHECK(outcomes[HV_VMSUCCEED] > steps / 40);
    CHECK(outcomes[HV_VMFAIL_VALID] > steps / 40);
    CHECK(outcomes[HV_VMFAIL_INVALID] > steps / 40);
    if (getenv("SIM_RANDOM_STATS"))
        printf("%s: succeed %u, fail-valid %u, fail-invalid %u, entries %llu\n", profile, outcomes[0], outcomes[2],
               outcomes[1], (unsigned long long)(sim_machine_cpu(m, 0)->vm_entries + sim_machine_cpu(m, 1)->vm_entries));
    sim_machine_destroy(m);
}

TEST_CASE(random_sequences_haswell) { run("bochs-haswell", 0x1234567887654321ull, 20000); }
TEST_CASE(random_sequences_penryn) { run("bochs-penryn", 0x0badc0ffee0ddf00ull, 20000); }
TEST_CASE(random_sequences_minimal) { run("minimal", 0x5eed5eed5eed5eedull, 20000); }
TEST_CASE(random_sequences_max) { run("max", 0x0123456789abcdefull, 20000); }
