/* The i8042 keyboard controller of the PC/AT with a PS/2 keyboard behind it: data port 0x60, status and
 * command port 0x64; IRQ 1. No auxiliary (mouse) device. State per VM (vm->dev.kbd); i8042.c. */
#ifndef HV_DEV_I8042_H
#define HV_DEV_I8042_H

#include <stdbool.h>
#include <stdint.h>

/* The output buffer towards the guest: the controller's one-byte output register plus the keyboard's own
 * buffer behind it, modelled as one FIFO (a PS/2 keyboard buffers 16 keystrokes). Overflow drops and counts. */
#define HV_I8042_FIFO 16u

struct hv_i8042 {
    uint8_t fifo[HV_I8042_FIFO];
    uint8_t head;           /* index of the oldest byte */
    uint8_t count;          /* bytes queued: 0..HV_I8042_FIFO */
    uint8_t last_read;      /* what port 0x60 returns when the buffer is empty (the register keeps it) */
    uint8_t cmd_byte;       /* controller command byte (0x20 reads / 0x60 writes it) */
    uint8_t output_port;    /* controller output port (0xD0 reads / 0xD1 writes): bit 0 reset, bit 1 A20 */
    uint8_t pending_ctrl;   /* controller command waiting for its data byte on 0x60 (0x60, 0xD1, 0xD3, 0xD4), or 0 */
    uint8_t pending_kbd;    /* keyboard command waiting for its parameter (0xED, 0xF0, 0xF3), or 0 */
    bool a2;                /* status bit 3: last write was to 0x64 (command) */
    uint8_t scancode_set;   /* keyboard's scancode set: 1 or 2 (3 is refused) */
    bool scanning;          /* keyboard enabled (0xF4) / disabled (0xF5) */
    uint8_t leds;           /* 0xED parameter */
    uint8_t typematic;      /* 0xF3 parameter */
    bool irq_line;          /* level this device drives on IRQ 1 */
    bool attached;
    /* statistics */
    uint64_t dropped;       /* bytes lost to a full FIFO */
    uint64_t keys_ignored;  /* host key events while the keyboard was disabled */
    uint64_t refused;       /* commands not modelled (aux device, unknown) */
};

#endif
