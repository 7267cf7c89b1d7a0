/* The replay's side of the virtual hardware (replay_devices.h). Decisions (docs/scenario-format.md cites
 * them):
 *   - Devices are configured by a config-devices record among the leading records (like config-quota: part
 *     of the VM's configuration); without one the VM has no devices, so every older scenario keeps its
 *     meaning (port 0x3f8 unclaimed, and so on).
 *   - COM1 bytes go to the caller's options.serial when set (hvkit run without --trace: raw bytes to stdout),
 *     else, when tracing, one {"event":"serial","text":"A"} line per byte, so the trace stays JSON lines.
 *     Framebuffer pixels go to options.fb_pixel (hvkit run --framebuffer keeps the frame and writes a PNG).
 *   - A host event (key, serial-in, host-msg) is followed by a forced external-interrupt exit, the host's
 *     own interrupt for that event (keyboard, serial line, IPC doorbell), so the core runs, ticks the devices
 *     and injects at the next entry even when the guest is halted. `wait` only moves the clock, with one
 *     forced host-timer exit at each device deadline inside the wait (interrupts arrive at their time).
 *   - Halted guest: after every record, while the core left the guest in the HLT activity state and a
 *     device deadline exists (hv_vm_next_deadline_ns), the clock jumps to it and a host-timer exit is forced,
 *     at most HVS_MAX_TIMER_EXITS_PER_RECORD times; without a deadline the guest stays halted until a host
 *     event.
 *   - Injection: at every successful VM entry the guest model looks at the VM-entry interruption information:
 *     an external interrupt or NMI there is traced {"event":"inject","vector":V,"type":"external",
 *     "time_ns":T} and "taken" — a guest in the HLT activity state becomes active, as delivery makes it. */
#include "replay_devices.h"

#include "sim_time.h"
#include "sim_vmcs.h"

#include <hv/exit_reasons.h>
#include <hv/vmcs_fields.h>
#include <hv/vmx_controls.h>
#include <stdio.h>
#include <string.h>

static void serial_sink(void *opaque, uint8_t byte)
{
    struct hvs_devrt *d = opaque;
    if (d->o && d->o->serial) {
        d->o->serial(d->o->dev_opaque, byte);
        return;
    }
    if (!d->trace)
        return;
    if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\')
        fprintf(d->trace, "{\"event\":\"serial\",\"text\":\"%c\"}\n", byte);
    else if (byte == '"' || byte == '\\')
        fprintf(d->trace, "{\"event\":\"serial\",\"text\":\"\\%c\"}\n", byte);
    else
        fprintf(d->trace, "{\"event\":\"serial\",\"text\":\"\\u%04x\"}\n", byte);
}

static void fb_sink(void *opaque, uint32_t x, uint32_t y, uint32_t pixel)
{
    struct hvs_devrt *d = opaque;
    if (d->o && d->o->fb_pixel)
        d->o->fb_pixel(d->o->dev_opaque, x, y, pixel);
}

static void notify_sink(void *opaque, uint64_t value)
{
    struct hvs_devrt *d = opaque;
    if (d->trace)
        fprintf(d->trace, "{\"event\":\"notify\",\"value\":\"0x%llx\"}\n", (unsigned long long)value);
}

void hvs_dev_configure(struct hvs_devrt *d, const struct hvs_scenario *s, struct hv_vm_config *cfg)
{
    for (size_t i = 0; i < s->nrecords; i++) {
        const struct hvs_record *r = &s->records[i];
        if (r->type == HVS_CONFIG_DEVICES) {
            cfg->devices = (uint32_t)r->a;
            cfg->fb_gpa = r->b;
            cfg->fb_width = (uint32_t)r->c;
            cfg->fb_height = (uint32_t)r->d;
        } else if (!hvs_is_setup_record(r->type)) {
            break; /* only the leading records configure the VM */
        }
    }
    d->fb_width = cfg->devices & HV_DEV_FB ? cfg->fb_width : 0;
    d->fb_height = cfg->devices & HV_DEV_FB ? cfg->fb_height : 0;
    cfg->serial_sink = serial_sink;
    cfg->serial_opaque = d;
    cfg->fb_sink = fb_sink;
    cfg->fb_opaque = d;
    cfg->notify = notify_sink;
    cfg->notify_opaque = d;
}

static const char *event_type(uint32_t type)
{
    return type == INTR_TYPE_EXTERNAL ? "external" : type == INTR_TYPE_NMI ? "nmi" : "other";
}

void hvs_dev_on_entry(struct hvs_devrt *d, uint64_t *f)
{
    if (!f)
        return;
    uint32_t info = (uint32_t)f[HV_VMCS_ORD_VM_ENTRY_INTERRUPTION_INFO];
    uint32_t type = INTR_INFO_TYPE(info);
    if (!(info & INTR_INFO_VALID) || (type != INTR_TYPE_EXTERNAL && type != INTR_TYPE_NMI))
        return;
    d->injections++;
    if (d->trace)
        fprintf(d->trace, "{\"event\":\"inject\",\"vector\":%u,\"type\":\"%s\",\"time_ns\":%llu}\n",
                INTR_INFO_VECTOR(info), event_type(type), (unsigned long long)sim_cpu_time_ns(d->cpu));
    if (f[HV_VMCS_ORD_GUEST_ACTIVITY_STATE] == ACTIVITY_HLT)
        f[HV_VMCS_ORD_GUEST_ACTIVITY_STATE] = ACTIVITY_ACTIVE; /* the delivered interrupt ends HLT */
}

bool hvs_dev_is_host_event(uint8_t type)
{
    return type == HVS_KEY || type == HVS_SERIAL_IN || type == HVS_WAIT || type == HVS_HOST_MSG;
}

/* The host's own interrupt: an external-interrupt exit (SDM Vol. 3 §26.2), with the vector in the exit
 * interruption information when "acknowledge interrupt on exit" is 1 (§28.2.2), as resolve.c does. */
static bool host_interrupt(struct hvs_devrt *d, hvs_step_fn step, void *opaque)
{
    struct sim_exit x = {.reason = HV_EXIT_EXTERNAL_INTERRUPT};
    hv_paddr_t v = d->cpu->current_vmcs != SIM_NO_VMCS ? d->cpu->current_vmcs : d->vm->vmcs;
    const uint64_t *f = v ? sim_vmcs_fields(d->m, v) : NULL;
    if (f && (f[HV_VMCS_ORD_PRIMARY_VM_EXIT_CONTROLS] & EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT))
        x.intr_info = INTR_INFO_VALID | (INTR_TYPE_EXTERNAL << 8) | HVS_HOST_IRQ_VECTOR;
    return step(opaque, &x);
}

static void note(struct hvs_devrt *d, const char *event, const struct hvs_record *rec, const char *why)
{
    if (!d->trace)
        return;
    fprintf(d->trace, "{\"event\":\"%s\",\"record\":%zu,\"offset\":%zu,\"why\":\"", event, d->record, rec->offset);
    for (const char *p = why; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            fprintf(d->trace, "\\%c", c);
        else if (c < 0x20)
            fprintf(d->trace, "\\u%04x", c);
        else
            fputc(c, d->trace);
    }
    fprintf(d->trace, "\"}\n");
}

bool hvs_dev_host_event(struct hvs_devrt *d, const struct hvs_record *rec, hvs_step_fn step, void *opaque)
{
    switch (rec->type) {
    case HVS_KEY: {
        uint8_t codes[4];
        unsigned n = 1;
        codes[0] = (uint8_t)rec->a;
        if (rec->b) {
            n = hv_ascii_to_set1((char)rec->a, codes);
            if (!n) {
                note(d, "ignored", rec, "no key types this character");
                return true;
            }
        }
        for (unsigned i = 0; i < n; i++)
            hv_vm_key_event(d->vm, codes[i]);
        return host_interrupt(d, step, opaque);
    }
    case HVS_SERIAL_IN:
        hv_vm_serial_input(d->vm, (uint8_t)rec->a);
        return host_interrupt(d, step, opaque);
    case HVS_HOST_MSG:
        if (hv_vm_send_message(d->vm, rec->bytes, rec->nbytes) != HV_OK) {
            char why[HV_MESSAGE_MAX + 32];
            snprintf(why, sizeof why, "hv_vm_send_message: %s", d->vm->message);
            note(d, "refused", rec, why);
        }
        return host_interrupt(d, step, opaque);
    case HVS_WAIT: {
        uint64_t now = sim_cpu_time_ns(d->cpu);
        uint64_t target = rec->a > UINT64_MAX - now ? UINT64_MAX : now + rec->a;
        for (unsigned n = 0; n < HVS_MAX_TIMER_EXITS_PER_RECORD; n++) {
            uint64_t dl = hv_vm_next_deadline_ns(d->vm);
            if (dl == UINT64_MAX || dl > target)
                break;
            sim_cpu_set_time_ns(d->cpu, dl);
            if (!host_interrupt(d, step, opaque))
                return false;
        }
        sim_cpu_set_time_ns(d->cpu, target);
        return true;
    }
    default:
        return true;
    }
}

bool hvs_dev_after_step(struct hvs_devrt *d, uint64_t *f, hvs_step_fn step, void *opaque)
{
    for (unsigned n = 0; f && f[HV_VMCS_ORD_GUEST_ACTIVITY_STATE] == ACTIVITY_HLT; n++) {
        uint64_t dl = hv_vm_next_deadline_ns(d->vm);
        if (dl == UINT64_MAX)
            return true; /* halted until a host event */
        if (n >= HVS_MAX_TIMER_EXITS_PER_RECORD) {
            if (d->trace)
                fprintf(d->trace, "{\"event\":\"note\",\"record\":%zu,\"why\":\"the guest stays halted after %u "
                                  "timer interrupts\"}\n", d->record, n);
            return true;
        }
        sim_cpu_set_time_ns(d->cpu, dl);
        if (!host_interrupt(d, step, opaque))
            return false;
    }
    return true;
}
