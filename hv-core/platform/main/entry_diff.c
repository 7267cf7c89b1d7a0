/* entry-diff: the executor of the VM-entry differential (docs/entry-differential.md). It takes a list of
 * mutated VMCS states as a multiboot2 module, runs VMLAUNCH on each, and prints what the processor answered, so
 * that conformance/entry_diff/run can compare it with the sim's prediction (hvkit entry-check).
 *
 * The base state is the core's own VMCS for a small 64-bit guest (hv_vm_create), with HOST_RIP/HOST_RSP set to
 * the differential's landing point (guests/entry_diff_launch.S) and, where the processor has it, the
 * VMX-preemption timer armed. It is printed once:
 *   HVKIT-VMCS 0x<encoding> 0x<value> <w|r>        w = VMWRITE accepts it, r = read-only here
 *   HVKIT-VMCS-MEM 0x<pa> <hex bytes>              the MSR areas the base VMCS points at
 * then every case of the module (format below) gives one line:
 *   HVKIT-DIFF <i> ok reason=<basic> qual=0x<q> tsc=<t>            VM entry succeeded; the first exit
 *   HVKIT-DIFF <i> entry-failure reason=<33|34> qual=0x<q> tsc=<t> VM exit with bit 31 set (SDM Vol. 3 §27.8)
 *   HVKIT-DIFF <i> vmfail error=<n> tsc=<t>                        VMfailValid (SDM Vol. 3 §31.4 error numbers)
 *   HVKIT-DIFF <i> vmfail-invalid tsc=<t>                          VMfailInvalid
 *   HVKIT-DIFF <i> skipped <why>                                   not executed (unsafe host state, bad memory)
 * tsc is RDTSC just before VMLAUNCH: with Bochs' `clock: sync=none` it is Bochs' tick count, so the runner can
 * place each error line of Bochs' log between two cases.
 *
 * Module text (one item per line): `case <i> <run|unsafe>`, `w <enc> <value>` (VMWRITE over the base),
 * `p <pa>` (zero a page first), `m <pa> <hex bytes>` (write bytes), `end`. Numbers are hex without 0x except
 * <i>. The module's GRUB string may hold `start=<i>`: cases before it are not run (the runner's restart after
 * a case that hung or crashed Bochs). Pages a case writes must lie in [ED_LOW, ED_HIGH) or be a page of the
 * base's MSR areas; every page is restored before the next case. */
#include "../boot/boot.h"
#include "main.h"

#include <hv/vmcs_fields.h>
#include <stddef.h>

extern const uint8_t hvkit_guest_entry_diff_start[], hvkit_guest_entry_diff_end[];
int ed_launch(void);     /* guests/entry_diff_launch.S */
extern const char ed_exit[];

/* What the landing point puts back after a VM exit (offsets fixed in entry_diff_launch.S). */
struct ed_host {
    uint64_t rsp, cr0, cr4, cr3;
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
        uint8_t pad[6];
    } gdtr, idtr;
    uint64_t gs_base;
    uint64_t cs, ss, ds, es, fs, gs, tr;
};
_Static_assert(offsetof(struct ed_host, gdtr) == 32 && offsetof(struct ed_host, idtr) == 48 &&
                   offsetof(struct ed_host, gs_base) == 64 && offsetof(struct ed_host, cs) == 72 &&
                   offsetof(struct ed_host, tr) == 120,
               "struct ed_host offsets must match entry_diff_launch.S");
struct ed_host ed_host;

/* MSRs a VM exit may load from mutated host-state fields (SDM Vol. 3 §28.5.1), put back after each case. */
static const uint32_t host_msrs[] = {
    0x174u, 0x175u, 0x176u, /* IA32_SYSENTER_CS/ESP/EIP (SDM Vol. 4 Table 2-2) */
    0xc0000080u,            /* IA32_EFER */
    0x277u,                 /* IA32_PAT */
    0xc0000100u,            /* IA32_FS_BASE */
    0xc0000102u,            /* IA32_KERNEL_GS_BASE */
    0x1d9u,                 /* IA32_DEBUGCTL (a VM exit clears it, §28.5.1) */
};
#define HOST_MSR_COUNT (sizeof host_msrs / sizeof host_msrs[0])
static uint64_t host_msr_value[HOST_MSR_COUNT];
static bool host_msr_present[HOST_MSR_COUNT];

/* VMCS encodings used directly (SDM Vol. 3 Appendix B). */
#define ENC_PIN_CONTROLS 0x4000u
#define ENC_VM_INSTRUCTION_ERROR 0x4400u
#define ENC_EXIT_REASON 0x4402u
#define ENC_EXIT_QUALIFICATION 0x6400u
#define ENC_PREEMPTION_TIMER 0x482eu
#define ENC_HOST_RSP 0x6c14u
#define ENC_HOST_RIP 0x6c16u
#define ENC_ENTRY_MSR_LOAD_COUNT 0x4014u
#define ENC_ENTRY_MSR_LOAD_ADDR 0x200au
#define ENC_EXIT_MSR_STORE_COUNT 0x400eu
#define ENC_EXIT_MSR_STORE_ADDR 0x2006u
#define ENC_EXIT_MSR_LOAD_COUNT 0x4010u
#define ENC_EXIT_MSR_LOAD_ADDR 0x2008u
#define PIN_PREEMPTION_TIMER (1u << 6) /* SDM Vol. 3 §25.6.1 */
#define MSR_IA32_VMX_PINBASED_CTLS 0x481u
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48du
#define MSR_IA32_VMX_BASIC 0x480u
#define ED_PREEMPTION_VALUE 0x40000u /* far more than the guest's first instruction needs */

/* The only low memory cases may write (below the EBDA, above the real-mode IVT/BDA and GRUB's first stage). */
#define ED_LOW 0x10000u
#define ED_HIGH 0x9f000u
#define ED_MAX_PAGES 24u
#define ED_BASE_PAGES 6u

static struct test_vm ed_vm;
static uint8_t exit_stack[4096] __attribute__((aligned(16)));

static uint64_t base_val[HV_VMCS_FIELD_COUNT];
static bool base_have[HV_VMCS_FIELD_COUNT], base_writable[HV_VMCS_FIELD_COUNT];
static uint64_t base_page_pa[ED_BASE_PAGES];
static uint8_t base_page_copy[ED_BASE_PAGES][4096];
static unsigned base_pages;
static uint64_t case_page_pa[ED_MAX_PAGES];
static uint8_t case_page_copy[ED_MAX_PAGES][4096];
static unsigned case_pages;

static uint64_t rdmsr_raw(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static void wrmsr_raw(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* The host state the landing point puts back; MSRs only where hv_arch_rdmsr says the processor has them. */
static void save_host(struct hv_arch_cpu *arch)
{
    uint64_t v;
    __asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
    ed_host.cr0 = v;
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    ed_host.cr3 = v;
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
    ed_host.cr4 = v;
    __asm__ __volatile__("sgdt %0" : "=m"(ed_host.gdtr));
    __asm__ __volatile__("sidt %0" : "=m"(ed_host.idtr));
    uint16_t s;
    __asm__ __volatile__("mov %%cs, %0" : "=r"(s));
    ed_host.cs = s;
    __asm__ __volatile__("mov %%ss, %0" : "=r"(s));
    ed_host.ss = s;
    __asm__ __volatile__("mov %%ds, %0" : "=r"(s));
    ed_host.ds = s;
    __asm__ __volatile__("mov %%es, %0" : "=r"(s));
    ed_host.es = s;
    __asm__ __volatile__("mov %%fs, %0" : "=r"(s));
    ed_host.fs = s;
    __asm__ __volatile__("mov %%gs, %0" : "=r"(s));
    ed_host.gs = s;
    __asm__ __volatile__("str %0" : "=r"(s));
    ed_host.tr = s;
    ed_host.gs_base = rdmsr_raw(0xc0000101u); /* IA32_GS_BASE: long mode has it (SDM Vol. 4 Table 2-2) */
    for (unsigned i = 0; i < HOST_MSR_COUNT; i++)
        host_msr_present[i] = hv_arch_rdmsr(arch, host_msrs[i], &host_msr_value[i]);
}

static void restore_host_msrs(void)
{
    for (unsigned i = 0; i < HOST_MSR_COUNT; i++)
        if (host_msr_present[i])
            wrmsr_raw(host_msrs[i], host_msr_value[i]);
}

/* ---- the base state ---- */

static bool vmwrite(struct hv_arch_cpu *arch, uint32_t enc, uint64_t v)
{
    return hv_arch_vmwrite(arch, enc, v).status == HV_VMSUCCEED;
}
static uint64_t vmread(struct hv_arch_cpu *arch, uint32_t enc)
{
    uint64_t v = 0;
    hv_arch_vmread(arch, enc, &v);
    return v;
}

static void add_base_page(uint64_t pa)
{
    pa &= ~0xfffull;
    for (unsigned i = 0; i < base_pages; i++)
        if (base_page_pa[i] == pa)
            return;
    if (base_pages < ED_BASE_PAGES)
        base_page_pa[base_pages++] = pa;
}

/* One MSR area of the base (count entries of 16 bytes, SDM Vol. 3 §25.7.2): printed and kept for restores. */
static void dump_area(uint64_t pa, uint64_t count)
{
    if (!count || !pa)
        return;
    add_base_page(pa);
    const uint8_t *p = platform_phys_to_virt(pa);
    char line[16 * 2 * 8 + 1];
    for (uint64_t e = 0; e < count && e < 64; e += 8) {
        unsigned n = 0;
        for (uint64_t k = e; k < count && k < e + 8; k++)
            for (unsigned b = 0; b < 16; b++)
                n += (unsigned)ksnprintf(line + n, sizeof line - n, "%02x", p[k * 16 + b]);
        con_printf("HVKIT-VMCS-MEM 0x%llx %s\n", (unsigned long long)(pa + e * 16), line);
    }
}

/* The core's VMCS plus the differential's host landing point and preemption timer, read back field by field. */
static void make_base(struct hv_arch_cpu *arch)
{
    vmwrite(arch, ENC_HOST_RIP, (uint64_t)(uintptr_t)ed_exit);
    vmwrite(arch, ENC_HOST_RSP, (uint64_t)(uintptr_t)(exit_stack + sizeof exit_stack));
    uint64_t basic = rdmsr_raw(MSR_IA32_VMX_BASIC);
    /* TRUE controls when IA32_VMX_BASIC[55] = 1 (SDM Vol. 3 §A.3.1); allowed-1 settings in bits 63:32. */
    uint64_t pin_cap = rdmsr_raw((basic >> 55) & 1 ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
    if ((pin_cap >> 32) & PIN_PREEMPTION_TIMER) {
        vmwrite(arch, ENC_PIN_CONTROLS, vmread(arch, ENC_PIN_CONTROLS) | PIN_PREEMPTION_TIMER);
        vmwrite(arch, ENC_PREEMPTION_TIMER, ED_PREEMPTION_VALUE);
    }
    for (unsigned i = 0; i < HV_VMCS_FIELD_COUNT; i++) {
        const struct hv_vmcs_field *f = &hv_vmcs_field_table[i];
        uint64_t v = 0;
        base_have[i] = hv_arch_vmread(arch, f->encoding, &v).status == HV_VMSUCCEED;
        base_val[i] = v;
        base_writable[i] = base_have[i] && vmwrite(arch, f->encoding, v);
        if (base_have[i])
            con_printf("HVKIT-VMCS 0x%x 0x%llx %c\n", f->encoding, (unsigned long long)v,
                       base_writable[i] ? 'w' : 'r');
    }
    dump_area(vmread(arch, ENC_ENTRY_MSR_LOAD_ADDR), vmread(arch, ENC_ENTRY_MSR_LOAD_COUNT));
    dump_area(vmread(arch, ENC_EXIT_MSR_STORE_ADDR), vmread(arch, ENC_EXIT_MSR_STORE_COUNT));
    dump_area(vmread(arch, ENC_EXIT_MSR_LOAD_ADDR), vmread(arch, ENC_EXIT_MSR_LOAD_COUNT));
    for (unsigned i = 0; i < base_pages; i++)
        memcpy(base_page_copy[i], platform_phys_to_virt(base_page_pa[i]), 4096);
}

/* VMCLEAR (launch state clear, SDM Vol. 3 §25.11.3), VMPTRLD and every writable base field again. */
static bool reset_vmcs(struct hv_arch_cpu *arch, struct hv_vm *vm)
{
    if (hv_arch_vmclear(arch, vm->vmcs).status != HV_VMSUCCEED ||
        hv_arch_vmptrld(arch, vm->vmcs).status != HV_VMSUCCEED)
        return false;
    vm->cpu->current_vmcs = vm->vmcs;
    for (unsigned i = 0; i < HV_VMCS_FIELD_COUNT; i++)
        if (base_writable[i])
            vmwrite(arch, hv_vmcs_field_table[i].encoding, base_val[i]);
    for (unsigned i = 0; i < base_pages; i++)
        memcpy(platform_phys_to_virt(base_page_pa[i]), base_page_copy[i], 4096);
    return true;
}

/* ---- the module ---- */

struct cursor {
    const char *p, *end;
};

static bool at_eol(const struct cursor *c)
{
    return c->p >= c->end || *c->p == '\n';
}
static void skip_spaces(struct cursor *c)
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
}
static void next_line(struct cursor *c)
{
    while (c->p < c->end && *c->p != '\n')
        c->p++;
    if (c->p < c->end)
        c->p++;
}
static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}
static bool read_num(struct cursor *c, unsigned base, uint64_t *out)
{
    skip_spaces(c);
    uint64_t v = 0;
    const char *start = c->p;
    while (c->p < c->end) {
        int d = base == 16 ? hexval(*c->p) : (*c->p >= '0' && *c->p <= '9' ? *c->p - '0' : -1);
        if (d < 0)
            break;
        v = v * base + (unsigned)d;
        c->p++;
    }
    *out = v;
    return c->p > start;
}
static bool read_word(struct cursor *c, const char **w, size_t *n)
{
    skip_spaces(c);
    *w = c->p;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\n')
        c->p++;
    *n = (size_t)(c->p - *w);
    return *n > 0;
}
static bool word_is(const char *w, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (w[i] != lit[i])
            return false;
    return i == n && !lit[i];
}

static bool page_allowed(uint64_t pa)
{
    if (pa >= ED_LOW && pa + 4096 <= ED_HIGH)
        return true;
    for (unsigned i = 0; i < base_pages; i++)
        if (base_page_pa[i] == pa)
            return true;
    return false;
}

/* Keep a copy of the page before a case first writes it. */
static bool touch_page(uint64_t pa)
{
    pa &= ~0xfffull;
    if (!page_allowed(pa))
        return false;
    for (unsigned i = 0; i < case_pages; i++)
        if (case_page_pa[i] == pa)
            return true;
    if (case_pages == ED_MAX_PAGES)
        return false;
    case_page_pa[case_pages] = pa;
    memcpy(case_page_copy[case_pages++], platform_phys_to_virt(pa), 4096);
    return true;
}
static void restore_case_pages(void)
{
    while (case_pages) {
        case_pages--;
        memcpy(platform_phys_to_virt(case_page_pa[case_pages]), case_page_copy[case_pages], 4096);
    }
}

/* Apply one case's lines up to `end`; *why says what made it unrunnable (the rest of it is still consumed). */
static void apply_case(struct hv_arch_cpu *arch, struct cursor *c, const char **why, uint64_t *bad_enc,
                       uint64_t *bad_err)
{
    while (c->p < c->end) {
        const char *w;
        size_t n;
        if (!read_word(c, &w, &n)) {
            next_line(c);
            continue;
        }
        if (word_is(w, n, "end")) {
            next_line(c);
            return;
        }
        uint64_t a = 0, v = 0;
        if (*why) {
            next_line(c);
            continue;
        }
        if (word_is(w, n, "w") && read_num(c, 16, &a) && read_num(c, 16, &v)) {
            struct hv_vmx_result r = hv_arch_vmwrite(arch, a, v);
            if (r.status != HV_VMSUCCEED) {
                *why = "vmwrite-failed";
                *bad_enc = a;
                *bad_err = r.error;
            }
        } else if (word_is(w, n, "p") && read_num(c, 16, &a)) {
            if (!touch_page(a))
                *why = "page-outside-window";
            else
                memset(platform_phys_to_virt(a & ~0xfffull), 0, 4096);
        } else if (word_is(w, n, "m") && read_num(c, 16, &a)) {
            skip_spaces(c);
            while (!at_eol(c) && c->p + 1 < c->end) {
                int hi = hexval(c->p[0]), lo = hexval(c->p[1]);
                if (hi < 0 || lo < 0 || !touch_page(a)) {
                    *why = hi < 0 || lo < 0 ? "bad-module-bytes" : "page-outside-window";
                    break;
                }
                *(uint8_t *)platform_phys_to_virt(a) = (uint8_t)(hi << 4 | lo);
                a++;
                c->p += 2;
            }
        } else {
            *why = "bad-module-line";
        }
        next_line(c);
    }
}

static void run_one(struct hv_arch_cpu *arch, uint64_t index)
{
    uint64_t tsc = rdtsc();
    int r = ed_launch();
    restore_host_msrs();
    if (r == 0) {
        uint64_t reason = vmread(arch, ENC_EXIT_REASON), qual = vmread(arch, ENC_EXIT_QUALIFICATION);
        /* Bit 31: VM-entry failure (SDM Vol. 3 §28.2.1, Table 28-?: basic reason in bits 15:0). */
        con_printf("HVKIT-DIFF %llu %s reason=%llu qual=0x%llx tsc=%llu\n", (unsigned long long)index,
                   (reason >> 31) & 1 ? "entry-failure" : "ok", (unsigned long long)(reason & 0xffff),
                   (unsigned long long)qual, (unsigned long long)tsc);
    } else if (r == 2) {
        con_printf("HVKIT-DIFF %llu vmfail error=%llu tsc=%llu\n", (unsigned long long)index,
                   (unsigned long long)vmread(arch, ENC_VM_INSTRUCTION_ERROR), (unsigned long long)tsc);
    } else {
        con_printf("HVKIT-DIFF %llu %s tsc=%llu\n", (unsigned long long)index,
                   r == 1 ? "vmfail-invalid" : "vmlaunch-neither", (unsigned long long)tsc);
    }
}

/* The case module: the first module whose GRUB string starts "entry-diff". */
static const struct boot_module *find_module(uint64_t *start)
{
    for (unsigned i = 0; i < boot_module_count(); i++) {
        const struct boot_module *m = boot_module(i);
        const char *s = m->string ? m->string : "";
        if (!word_is(s, 10, "entry-diff"))
            continue;
        *start = 0;
        for (const char *p = s; *p; p++)
            if (p[0] == 's' && p[1] == 't' && p[2] == 'a' && p[3] == 'r' && p[4] == 't' && p[5] == '=') {
                struct cursor c = {p + 6, p + 6 + 20};
                read_num(&c, 10, start);
            }
        return m;
    }
    return (const struct boot_module *)0;
}

static const struct test_guest ed_guest =
    TEST_SMALL_PROGRAM64(hvkit_guest_entry_diff_start, hvkit_guest_entry_diff_end);

static enum test_outcome test_entry_diff(const struct test_options *opt)
{
    (void)opt;
    enum test_outcome out;
    struct hvkit_cpu *cpu = test_need_vmx("entry-diff", &out);
    if (!cpu)
        return out;
    out = test_vm_start(&ed_vm, "entry-diff", cpu, &ed_guest, PLATFORM_MAX_CPUS + 8u, (const struct test_options *)0);
    if (out != TEST_PASS)
        return out;
    struct hv_arch_cpu *arch = cpu->hv.arch;
    struct hv_vm *vm = &ed_vm.vm;
    if (hv_arch_vmptrld(arch, vm->vmcs).status != HV_VMSUCCEED) {
        test_result("entry-diff", "FAIL", "VMPTRLD of the base VMCS failed");
        test_vm_finish(&ed_vm);
        return TEST_FAIL;
    }
    vm->cpu->current_vmcs = vm->vmcs;
    save_host(arch);
    make_base(arch);

    uint64_t start = 0, ran = 0, skipped = 0, count = 0;
    const struct boot_module *m = find_module(&start);
    if (m && m->start < ED_HIGH && m->end > ED_LOW) {
        test_result("entry-diff", "FAIL", "the case module [0x%llx, 0x%llx) overlaps the case window",
                    (unsigned long long)m->start, (unsigned long long)m->end);
        test_vm_finish(&ed_vm);
        return TEST_FAIL;
    }
    struct cursor c = {0, 0};
    if (m) {
        c.p = (const char *)(uintptr_t)m->start;
        c.end = (const char *)(uintptr_t)m->end;
    }
    while (c.p < c.end) {
        const char *w;
        size_t n;
        uint64_t index = 0;
        if (!read_word(&c, &w, &n) || !word_is(w, n, "case") || !read_num(&c, 10, &index)) {
            next_line(&c);
            continue;
        }
        const char *mode;
        size_t mn;
        read_word(&c, &mode, &mn);
        next_line(&c);
        count++;
        const char *why = (const char *)0;
        uint64_t bad_enc = 0, bad_err = 0;
        if (index < start || !reset_vmcs(arch, vm)) {
            why = index < start ? "before-start" : "vmclear-failed";
            apply_case(arch, &c, &why, &bad_enc, &bad_err);
            if (index >= start)
                con_printf("HVKIT-DIFF %llu skipped %s\n", (unsigned long long)index, why);
            continue;
        }
        apply_case(arch, &c, &why, &bad_enc, &bad_err);
        if (!why && word_is(mode, mn, "unsafe"))
            why = "unsafe-host-state";
        if (why) {
            skipped++;
            if (bad_enc)
                con_printf("HVKIT-DIFF %llu skipped %s enc=0x%llx error=%llu\n", (unsigned long long)index, why,
                           (unsigned long long)bad_enc, (unsigned long long)bad_err);
            else
                con_printf("HVKIT-DIFF %llu skipped %s\n", (unsigned long long)index, why);
        } else {
            run_one(arch, index);
            ran++;
        }
        restore_case_pages();
    }
    reset_vmcs(arch, vm); /* the core's VMCS as it was (with the landing point), for hv_vm_destroy */
    bool pages = test_vm_finish(&ed_vm);
    test_result("entry-diff", pages ? "PASS" : "FAIL", "cases=%llu ran=%llu skipped=%llu start=%llu module=%s%s",
                (unsigned long long)count, (unsigned long long)ran, (unsigned long long)skipped,
                (unsigned long long)start, m ? "yes" : "no", pages ? "" : " pages-not-back");
    return pages ? TEST_PASS : TEST_FAIL;
}
HVKIT_TEST("entry-diff", test_entry_diff);
