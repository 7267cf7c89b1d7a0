/* Attaching the configured devices to a new VM (attach.h).
 *
 * Every device's state lives in vm->dev and is reset here, attached or not, so a device's functions can run
 * on a VM without it (a host key event, a serial byte) and find it detached rather than stale. Port devices
 * take the VM as their handlers' opaque pointer: they raise IRQs and reach the host sinks through it. */
#include "attach.h"
#include "devices.h"

static enum hv_err attach_fail(struct hv_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static enum hv_err attach_fail(struct hv_vm *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(vm->message, sizeof vm->message, fmt, ap);
    va_end(ap);
    return HV_ERR_BAD_CONFIG;
}

static enum hv_err claim(struct hv_vm *vm, const char *what, uint16_t first, uint16_t last, hv_port_in_fn in,
                         hv_port_out_fn out)
{
    struct hv_port_range r = {.first = first, .last = last, .in = in, .out = out, .opaque = vm};
    if (hv_vm_add_ports(vm, &r) != HV_OK)
        return attach_fail(vm, "%s: ports 0x%x-0x%x refused by the port bus (overlap or too many ranges)", what,
                           first, last);
    return HV_OK;
}

static enum hv_err attach_fb(struct hv_vm *vm)
{
    const struct hv_vm_config *c = &vm->cfg;
    if (c->fb_width < 1 || c->fb_width > HV_FB_MAX_DIM || c->fb_height < 1 || c->fb_height > HV_FB_MAX_DIM)
        return attach_fail(vm, "framebuffer %ux%u: width and height must be 1..%u", c->fb_width, c->fb_height,
                           HV_FB_MAX_DIM);
    hv_fb_init(&vm->dev.fb, c->fb_gpa, c->fb_width, c->fb_height);
    uint64_t size = (vm->dev.fb.bytes + HV_PAGE_SIZE - 1) & ~(uint64_t)(HV_PAGE_SIZE - 1);
    /* HV_REGION_MMIO: an intentional EPT misconfiguration, so every access exits (SDM Vol. 3 §29.3.3.1) and
     * mmio.c decodes it into the transfers hv_fb_mmio receives. */
    struct hv_region r = {.gpa = c->fb_gpa, .size = size, .type = HV_REGION_MMIO, .mmio = hv_fb_mmio,
                          .opaque = NULL, .name = "framebuffer"};
    if (hv_vm_add_region(vm, &r) != HV_OK) {
        char why[HV_MESSAGE_MAX];
        hv_memcpy(why, vm->message, sizeof why);
        return attach_fail(vm, "framebuffer at 0x%llx: %s", (unsigned long long)c->fb_gpa, why);
    }
    vm->dev.fb.attached = true;
    return HV_OK;
}

enum hv_err hv_devices_attach(struct hv_vm *vm)
{
    uint32_t d = vm->cfg.devices;
    hv_uart_init(&vm->dev.uart);
    hv_fb_init(&vm->dev.fb, 0, 0, 0);
    hv_ipc_init(&vm->dev.ipc);
    if (d & ~HV_DEV_ALL)
        return attach_fail(vm, "devices 0x%x: unknown device bits 0x%x", d, d & ~HV_DEV_ALL);
    enum hv_err err = HV_OK;
    /* The interrupt controller first: the other devices raise their IRQs on it from their first access. The
     * PIC, PIT and i8042 reset their own state and claim their own ports (dev.h). */
    if ((d & HV_DEV_PIC) && !hv_pic_attach(vm))
        return attach_fail(vm, "PIC: ports 0x20-0x21 / 0xa0-0xa1 refused by the port bus");
    if ((d & HV_DEV_PIT) && !hv_pit_attach(vm))
        return attach_fail(vm, "PIT: ports 0x40-0x43 refused by the port bus");
    if ((d & HV_DEV_KBD) && !hv_i8042_attach(vm))
        return attach_fail(vm, "i8042: ports 0x60 / 0x64 refused by the port bus");
    if (d & HV_DEV_UART) {
        err = claim(vm, "COM1", HV_UART_COM1_BASE, HV_UART_COM1_BASE + 7, hv_uart_port_in, hv_uart_port_out);
        if (err)
            return err;
        vm->dev.uart.attached = true;
    }
    if (d & HV_DEV_FB) {
        err = attach_fb(vm);
        if (err)
            return err;
    }
    if (d & HV_DEV_IPC)
        vm->dev.ipc.attached = true;
    return HV_OK;
}
