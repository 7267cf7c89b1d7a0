/* Issue 5 acceptance through the replay: harness/scenario/examples/mmio_store.hvt, in which the guest stores
 * EAX to [RBX+RCX*4+0x10] inside an MMIO hole (89 44 8B 10). The region's handler (the replay's device) must
 * see the right GPA, size 4 and EAX's value, and the core must advance RIP by the decoded length 4 (the RIP
 * oracle checks it against the decoder; this test checks the final RIP and registers itself). Also: old
 * mem-access records into MMIO still mean MOV RAX <-> memory, and an undecodable mem-insn gets #UD. */
#include "oracle.h"
#include "replay.h"
#include "scenario.h"
#include "sim_machine.h"
#include "sim_vmcs.h"
#include "testlib.h"
#include "text.h"

#include <hv/vm.h>
#include <hv/vmcs_fields.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The example lives in the source tree: its path from this file's (__FILE__ is absolute under CMake). */
static char *slurp(const char *rel, size_t *len)
{
    char path[1024];
    const char *slash = strrchr(__FILE__, '/');
    int dir = slash ? (int)(slash - __FILE__) : 1;
    snprintf(path, sizeof path, "%.*s/../%s", dir, slash ? __FILE__ : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = calloc(1, (size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

struct final {
    uint64_t rip, rax, rcx;
    bool seen;
};

static void after(void *opaque, struct sim_machine *m, struct hv_vm *vm, size_t record)
{
    struct final *fin = opaque;
    uint64_t *f = sim_vmcs_fields(m, vm->vmcs);
    if (!f || record != 5) /* the read, the second mem-insn (records: region, 3 x set-gpr, store, load) */
        return;
    fin->rip = f[HV_VMCS_ORD_GUEST_RIP];
    fin->rax = vm->gprs.rax;
    fin->rcx = vm->gprs.rcx;
    fin->seen = true;
}

static char *replay_text(const char *text, size_t len, const char *profile, struct hvs_replay_result *r,
                         struct final *fin)
{
    struct hvs_scenario s;
    char err[256];
    CHECK_EQ_U64(hvs_asm(&s, text, len, err, sizeof err), 0);
    FILE *t = tmpfile();
    CHECK(t != NULL);
    struct hvs_replay_options o = {.trace = t, .profile = profile};
    struct hvs_replay_hooks h = {.after_step = after, .opaque = fin};
    hvs_replay_hooked(&s, &o, fin ? &h : NULL, r);
    long n = ftell(t);
    char *buf = calloc(1, (size_t)n + 1);
    rewind(t);
    CHECK(buf && fread(buf, 1, (size_t)n, t) == (size_t)n);
    fclose(t);
    hvs_free(&s);
    return buf;
}

TEST_CASE(store_eax_sib_scenario_delivers_gpa_size_value_and_decoded_rip)
{
    size_t len;
    char *text = slurp("harness/scenario/examples/mmio_store.hvt", &len);
    CHECK(text != NULL);
    struct hvs_replay_result r;
    struct final fin = {0};
    char *trace = replay_text(text, len, NULL, &r, &fin);
    if (r.status != HVS_OK)
        fprintf(stderr, "%s\n%s", r.message, trace);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK(strstr(trace, "{\"event\":\"mmio\",\"region\":\"mmio0\",\"gpa\":\"0xfed00010\",\"access\":\"write\","
                        "\"size\":4,\"value\":\"0xcafef00d\"}") != NULL);
    CHECK(strstr(trace, "\"gpa\":\"0xfed00034\",\"access\":\"read\",\"size\":4,\"value\":\"0x12345678\"}") != NULL);
    CHECK(fin.seen);
    CHECK_EQ_U64(fin.rip, 0x1000 + 4 + 3); /* 89 44 8B 10, then 8B 4B 40: decoded lengths */
    CHECK_EQ_U64(fin.rcx, 0x12345678);     /* mov ecx, [..]: 32-bit load zero-extends */
    CHECK_EQ_U64(fin.rax, 0xffffffffcafef00dull);
    free(trace);
    free(text);
}

TEST_CASE(store_eax_sib_scenario_on_every_ept_profile)
{
    size_t len;
    char *text = slurp("harness/scenario/examples/mmio_store.hvt", &len);
    CHECK(text != NULL);
    const char *profiles[] = {"bochs-haswell", "bochs-skylake-x", "bochs-sandybridge", "max"};
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        struct hvs_replay_result r;
        char *trace = replay_text(text, len, profiles[i], &r, NULL);
        if (r.status != HVS_OK)
            fprintf(stderr, "%s: %s\n", profiles[i], r.message);
        CHECK_EQ_U64(r.status, HVS_OK);
        CHECK(strstr(trace, "\"gpa\":\"0xfed00010\",\"access\":\"write\",\"size\":4,\"value\":\"0xcafef00d\"") != NULL);
        free(trace);
    }
    free(text);
}

TEST_CASE(mem_access_into_mmio_is_a_mov_of_its_instr_len)
{
    const char *text = "profile bochs-haswell\nmemory 4M\nmode program64\n"
                       "mmio-region gpa=0xfed00000 size=0x1000 kind=mmio\n"
                       "set-gpr reg=rax value=0x1122334455667788\n"
                       "mem-access gpa=0xfed00008 access=write size=8 value=0x1122334455667788 instr_len=7\n"
                       "mem-access gpa=0xfed00010 access=read size=2 value=0xbeef instr_len=3\n";
    struct hvs_replay_result r;
    char *trace = replay_text(text, strlen(text), NULL, &r, NULL);
    if (r.status != HVS_OK)
        fprintf(stderr, "%s\n%s", r.message, trace);
    CHECK_EQ_U64(r.status, HVS_OK); /* the RIP oracle held: advanced by 7, then 3 */
    CHECK(strstr(trace, "\"gpa\":\"0xfed00008\",\"access\":\"write\",\"size\":8,\"value\":\"0x1122334455667788\"}") != NULL);
    CHECK(strstr(trace, "\"gpa\":\"0xfed00010\",\"access\":\"read\",\"size\":2,\"value\":\"0xbeef\"}") != NULL);
    free(trace);
}

TEST_CASE(undecodable_mem_insn_gets_ud_and_rip_stays)
{
    const char *text = "profile bochs-haswell\nmemory 4M\nmode program64\n"
                       "mmio-region gpa=0xfed00000 size=0x1000 kind=mmio\n"
                       "mem-insn gpa=0xfed00000 access=write value=0 bytes=0fae3b\n"; /* clflush [rbx] */
    struct hvs_replay_result r;
    char *trace = replay_text(text, strlen(text), NULL, &r, NULL);
    if (r.status != HVS_OK)
        fprintf(stderr, "%s\n%s", r.message, trace);
    CHECK_EQ_U64(r.status, HVS_OK);
    CHECK(strstr(trace, "\"event\":\"mmio\"") == NULL); /* nothing reached the device */
    CHECK(strstr(trace, "\"number\":49") != NULL);
    free(trace);
}
