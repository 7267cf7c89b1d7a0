/* The trace callback of the bootable build: one HVKIT-EXIT line per exit the core handled (format in
 * docs/bootable-vmx.md), and the sequence kept for the test that ran the VM.
 *
 *   HVKIT-EXIT vm=<v> n=<n> reason=<basic> name=<SDM name> qual=0x<hex> len=<len> action=<resume|halt|kill>
 *
 * name is the SDM Vol. 3 Appendix C name from the core's table (hv_exit_reason_name) with every space turned
 * into '_' so the line stays space-separated key=value pairs ("EPT_violation", "I/O_instruction"); a number
 * Appendix C does not define prints name=undefined. */
#include "main.h"

#include <hv/exit_reasons.h>

const char *exit_action_name(enum hv_exit_action a)
{
    switch (a) {
    case HV_EXIT_RESUME:
        return "resume";
    case HV_EXIT_HALT:
        return "halt";
    case HV_EXIT_KILL:
        return "kill";
    }
    return "unknown";
}

static void name_token(char *out, size_t size, uint32_t basic)
{
    const char *name = hv_exit_reason_name(basic);
    if (!name)
        name = "undefined";
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++)
        out[i] = name[i] == ' ' ? '_' : name[i];
    out[i] = '\0';
}

void exit_trace(void *opaque, const struct hv_trace_event *ev)
{
    struct exit_log *log = opaque;
    if (ev->kind == HV_TRACE_KILL) {
        log->kills++; /* the core logged the reason already (hv_vm_kill -> hv_arch_log) */
        return;
    }
    if (ev->kind != HV_TRACE_EXIT)
        return; /* HV_TRACE_ENTRY_FALLBACK: the first VMRESUME of a VM, not an exit */
    uint32_t basic = HV_EXIT_REASON_BASIC(ev->exit_reason);
    unsigned n = ++log->n;
    if (n <= EXIT_LOG_MAX)
        log->rec[n - 1] = (struct exit_record){
            .basic = basic,
            .entry_failure = (ev->exit_reason & HV_EXIT_REASON_ENTRY_FAILURE) != 0,
            .qualification = ev->qualification,
            .instr_len = ev->instr_len,
            .action = ev->action,
        };
    char name[64];
    name_token(name, sizeof name, basic);
    con_printf("HVKIT-EXIT vm=%u n=%u reason=%u name=%s qual=0x%llx len=%u action=%s\n", log->vm_index, n,
               basic, name, (unsigned long long)ev->qualification, ev->instr_len, exit_action_name(ev->action));
}
