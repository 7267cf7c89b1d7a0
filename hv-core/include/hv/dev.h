/* Virtual hardware of a VM (the devices issue): 16550A UART, 8254 PIT, 8259A pair, i8042 keyboard controller,
 * a linear framebuffer over MMIO, and the host<->guest data exchange over VMCALL.
 *
 * Every device's state lives in struct hv_devices inside its struct hv_vm: no globals, no allocation. Port
 * devices claim their ranges on the VM's port bus (hv_vm_add_ports); the framebuffer is an MMIO region
 * (hv_vm_add_region). Devices raise interrupt request lines on the PIC; the core injects the PIC's pending
 * vector through the VM-entry interruption-information field when the guest can take it (RFLAGS.IF = 1, no
 * STI or MOV-SS blocking) and otherwise arms interrupt-window exiting (SDM Vol. 3 §27.6, §25.6.2).
 *
 * Each device file exports: an init (reset state), its port handlers, and an invariant check used as
 * oracle 6 (DESIGN §5): a function returning NULL when the device's registers are within their legal
 * values, else the name of the broken invariant. */
#ifndef HV_DEV_H
#define HV_DEV_H

#include <hv/dev_fb.h>
#include <hv/dev_i8042.h>
#include <hv/dev_ipc.h>
#include <hv/dev_pic.h>
#include <hv/dev_pit.h>
#include <hv/dev_uart.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_vm;

/* Every device of one VM. */
struct hv_devices {
    struct hv_pic pic;     /* dev_pic.h: the 8259A master/slave pair */
    struct hv_pit pit;     /* dev_pit.h: the 8254 */
    struct hv_i8042 kbd;   /* dev_i8042.h: keyboard controller */
    struct hv_uart uart;   /* dev_uart.h: COM1 */
    struct hv_fb fb;       /* dev_fb.h: linear framebuffer */
    struct hv_ipc ipc;     /* dev_ipc.h: host<->guest rings */
};

/* ---- interrupt lines (pic8259.c) -------------------------------------------------------------------------
 * ISA IRQ 0-15: 0 PIT channel 0, 1 keyboard, 2 cascade, 4 COM1. Edge-triggered as on a PC. */
void hv_irq_raise(struct hv_vm *vm, unsigned irq);
void hv_irq_lower(struct hv_vm *vm, unsigned irq);

/* ---- PIC, PIT, keyboard controller (pic8259.c, pit8254.c, i8042.c) ------------------------------------
 * attach: reset the device and claim its ports on the VM's port bus (PIC 0x20-0x21 and 0xA0-0xA1; PIT
 * 0x40-0x43; i8042 0x60 and 0x64). false when the port bus refused (ranges full or already claimed). */
bool hv_pic_attach(struct hv_vm *vm);
bool hv_pit_attach(struct hv_vm *vm);
bool hv_i8042_attach(struct hv_vm *vm);
/* Raise the vCPU's NMI input: injected at the next entry that can take it (irq.c). */
void hv_vm_nmi(struct hv_vm *vm);
/* Clock time (hv_arch_time_ns) of the next device event: PIT counter 0's next expiry that raises IRQ 0;
 * ~0 when none is due. A host that idles a halted guest sleeps (the sim: advances its clock) until then. */
uint64_t hv_vm_next_deadline_ns(struct hv_vm *vm);
/* Host key event: one scancode-set-1 byte (make, break = make | 0x80, or the 0xE0 prefix). Queued for the
 * guest as the keyboard would send it (set 1, or set 2 when the guest selected set 2 without translation)
 * and signalled on IRQ 1. */
void hv_vm_key_event(struct hv_vm *vm, uint8_t set1_make_or_break);
/* ASCII -> set-1 scancodes of pressing and releasing the key (with left shift around it for capitals and
 * shifted symbols): writes up to 4 bytes to out, returns how many (0: no key types this character). */
unsigned hv_ascii_to_set1(char c, uint8_t out[4]);
/* Oracle 6: NULL when the device's state is within its legal values, else the broken invariant's name. */
const char *hv_pic_invariant(const struct hv_vm *vm);
const char *hv_pit_invariant(const struct hv_vm *vm);
const char *hv_i8042_invariant(const struct hv_vm *vm);

/* ---- host side ----------------------------------------------------------------------------------------- */
/* Bytes the guest transmits on COM1 go to this sink (the console when booted, a buffer in the sim). */
typedef void (*hv_serial_sink_fn)(void *opaque, uint8_t byte);
/* Pixels the guest writes to the framebuffer (32 bits per pixel, x/y within the configured size). */
typedef void (*hv_fb_sink_fn)(void *opaque, uint32_t x, uint32_t y, uint32_t pixel);
/* Host messages the guest consumed / guest notifications to the host (IPC). */
typedef void (*hv_notify_fn)(void *opaque, uint64_t value);

#endif
