/* Attaching a VM's virtual hardware (devices.c); internal to the core: vm.c calls it. (devices.h is the
 * interrupt plumbing's header.) */
#ifndef HV_DEVICES_ATTACH_H
#define HV_DEVICES_ATTACH_H

#include "../core.h"

/* At the end of hv_vm_create: reset every device's state, then, per hv_vm_config.devices, claim the port
 * ranges (UART, PIC, PIT, i8042) and add the framebuffer's MMIO region. HV_ERR_BAD_CONFIG with vm->message
 * saying why (unknown device bits, a bad framebuffer geometry or place, a port range the bus refuses). */
enum hv_err hv_devices_attach(struct hv_vm *vm);

#endif
