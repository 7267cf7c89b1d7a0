/* The i8042 keyboard controller of the PC/AT with a PS/2 keyboard (IBM PC/AT Technical Reference, "Keyboard
 * Controller"; IBM PS/2 Hardware Interface Technical Reference, "Keyboard and Auxiliary Device Controller"
 * and "Keyboard"): port 0x60 data (read: output buffer; write: to the keyboard, or a controller command's
 * data byte), port 0x64 (read: status register; write: controller command). IRQ 1.
 *
 * Host key events arrive as scancode-set-1 bytes (hv_vm_key_event). What the guest reads depends on the
 * keyboard's set and the command byte's translation bit (bit 6, XLAT):
 *   - XLAT = 1 (the PC default): the controller translates the keyboard's set 2 into set 1, so the guest
 *     reads set 1 whatever set it selected (selecting set 1 with translation on gives a real PC garbage;
 *     modelled as set 1 too);
 *   - XLAT = 0, set 2: the guest reads set 2 (make codes by table, break = 0xF0 + make, 0xE0 prefixes kept);
 *   - XLAT = 0, set 1: set 1.
 * Set 3 is refused (0xFE "resend" to the F0 parameter).
 *
 * The output buffer is a 16-byte FIFO (controller output register + the keyboard's buffer); a full FIFO
 * drops and counts (stats dropped). IRQ 1 follows "output buffer full and command byte bit 0": each byte
 * the guest reads lowers the line and the next byte raises it again (a new edge for the PIC).
 *
 * Controller commands modelled: 0x20 read / 0x60 write command byte, 0xAA self-test (0x55, sets the system
 * flag), 0xAB keyboard interface test (0x00), 0xAD / 0xAE disable / enable keyboard (command byte bit 4),
 * 0xA7 disable aux (bit 5; there is no aux device), 0xD0 / 0xD1 read / write output port, 0xD2 write
 * keyboard output buffer, 0xDD / 0xDF A20 off / on, 0xF0-0xFF pulse output port bits. Refused (no response,
 * counted in stats refused): 0xA8 enable aux, 0xA9 aux test, 0xD3 / 0xD4 (aux; their data byte is
 * swallowed), anything else. Resetting the CPU (0xFE, any pulse command with bit 0 = 0, or writing output
 * port bit 0 = 0) kills the VM with that reason: the core has no CPU reset to give the guest.
 * Keyboard commands: 0xFF reset (0xFA 0xAA), 0xFE resend, 0xF6 defaults, 0xF5 disable, 0xF4 enable, 0xF3
 * typematic, 0xF2 identify (0xFA 0xAB 0x83; 0x41 translated), 0xF0 scancode set (get: 0 -> current set,
 * translated with XLAT), 0xEE echo, 0xED LEDs; anything else 0xFE. */
#include "devices.h"

#define CMD_INT 0x01u      /* command byte bit 0: IRQ 1 on output buffer full */
#define CMD_SYS 0x04u      /* bit 2: system flag (status bit 2) */
#define CMD_DISABLE_KBD 0x10u
#define CMD_DISABLE_AUX 0x20u
#define CMD_XLAT 0x40u

#define ST_OBF 0x01u
#define ST_SYS 0x04u
#define ST_A2 0x08u
#define ST_INH 0x10u       /* 1 = keyboard not inhibited (the keylock switch) */

#define KBD_ACK 0xfau
#define KBD_RESEND 0xfeu
#define KBD_BAT_OK 0xaau
#define KBD_ECHO 0xeeu
#define TYPEMATIC_DEFAULT 0x2bu /* 10.9 characters/s after 500 ms */

static void update_irq(struct hv_vm *vm)
{
    struct hv_i8042 *k = &vm->dev.kbd;
    bool level = k->count > 0 && (k->cmd_byte & CMD_INT);
    if (level == k->irq_line)
        return;
    k->irq_line = level;
    if (level)
        hv_irq_raise(vm, 1);
    else
        hv_irq_lower(vm, 1);
}

static void push(struct hv_i8042 *k, uint8_t b)
{
    if (k->count >= HV_I8042_FIFO) {
        k->dropped++;
        return;
    }
    k->fifo[(k->head + k->count) % HV_I8042_FIFO] = b;
    k->count++;
}

static bool xlat(const struct hv_i8042 *k)
{
    return (k->cmd_byte & CMD_XLAT) != 0;
}

/* Set 1 make code -> set 2 make code (IBM scancode tables; the inverse of the i8042 translation table), for
 * the keys without an 0xE0 prefix. 0: no set-2 equivalent modelled. */
static const uint8_t set1_to_set2[0x59] = {
    [0x01] = 0x76, [0x02] = 0x16, [0x03] = 0x1e, [0x04] = 0x26, [0x05] = 0x25, [0x06] = 0x2e, [0x07] = 0x36,
    [0x08] = 0x3d, [0x09] = 0x3e, [0x0a] = 0x46, [0x0b] = 0x45, [0x0c] = 0x4e, [0x0d] = 0x55, [0x0e] = 0x66,
    [0x0f] = 0x0d, [0x10] = 0x15, [0x11] = 0x1d, [0x12] = 0x24, [0x13] = 0x2d, [0x14] = 0x2c, [0x15] = 0x35,
    [0x16] = 0x3c, [0x17] = 0x43, [0x18] = 0x44, [0x19] = 0x4d, [0x1a] = 0x54, [0x1b] = 0x5b, [0x1c] = 0x5a,
    [0x1d] = 0x14, [0x1e] = 0x1c, [0x1f] = 0x1b, [0x20] = 0x23, [0x21] = 0x2b, [0x22] = 0x34, [0x23] = 0x33,
    [0x24] = 0x3b, [0x25] = 0x42, [0x26] = 0x4b, [0x27] = 0x4c, [0x28] = 0x52, [0x29] = 0x0e, [0x2a] = 0x12,
    [0x2b] = 0x5d, [0x2c] = 0x1a, [0x2d] = 0x22, [0x2e] = 0x21, [0x2f] = 0x2a, [0x30] = 0x32, [0x31] = 0x31,
    [0x32] = 0x3a, [0x33] = 0x41, [0x34] = 0x49, [0x35] = 0x4a, [0x36] = 0x59, [0x37] = 0x7c, [0x38] = 0x11,
    [0x39] = 0x29, [0x3a] = 0x58, [0x3b] = 0x05, [0x3c] = 0x06, [0x3d] = 0x04, [0x3e] = 0x0c, [0x3f] = 0x03,
    [0x40] = 0x0b, [0x41] = 0x83, [0x42] = 0x0a, [0x43] = 0x01, [0x44] = 0x09, [0x45] = 0x77, [0x46] = 0x7e,
    [0x47] = 0x6c, [0x48] = 0x75, [0x49] = 0x7d, [0x4a] = 0x7b, [0x4b] = 0x6b, [0x4c] = 0x73, [0x4d] = 0x74,
    [0x4e] = 0x79, [0x4f] = 0x69, [0x50] = 0x72, [0x51] = 0x7a, [0x52] = 0x70, [0x53] = 0x71, [0x54] = 0x84,
    [0x56] = 0x61, [0x57] = 0x78, [0x58] = 0x07,
};

void hv_vm_key_event(struct hv_vm *vm, uint8_t code)
{
    if (!vm)
        return;
    struct hv_i8042 *k = &vm->dev.kbd;
    if (!k->attached)
        return;
    if (!k->scanning || (k->cmd_byte & CMD_DISABLE_KBD)) {
        k->keys_ignored++; /* a disabled keyboard (0xF5) or a disabled interface (0xAD) sends nothing */
        return;
    }
    if (xlat(k) || k->scancode_set == 1 || code == 0xe0u) {
        push(k, code);
    } else {
        uint8_t make = code & 0x7fu;
        uint8_t s2 = make < sizeof set1_to_set2 ? set1_to_set2[make] : 0;
        if (!s2) {
            k->keys_ignored++;
            return;
        }
        if (code & 0x80u)
            push(k, 0xf0u); /* set 2 break prefix */
        push(k, s2);
    }
    update_irq(vm);
}

/* ASCII -> set 1 (US layout). Row strings indexed by make code; shifted characters in the second. */
static const char unshifted[] = "\0\033" "1234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./";
static const char shifted[] = "\0\0" "!@#$%^&*()_+\0\0QWERTYUIOP{}\0\0ASDFGHJKL:\"~\0|ZXCVBNM<>?";
#define SC_LSHIFT 0x2au
#define SC_SPACE 0x39u

unsigned hv_ascii_to_set1(char c, uint8_t out[4])
{
    if (c == '\0')
        return 0;
    if (c == ' ' || c == '\r') {
        uint8_t m = c == ' ' ? SC_SPACE : 0x1cu;
        out[0] = m;
        out[1] = (uint8_t)(m | 0x80u);
        return 2;
    }
    for (unsigned i = 1; i < sizeof unshifted - 1; i++) {
        if (unshifted[i] == c) {
            out[0] = (uint8_t)i;
            out[1] = (uint8_t)(i | 0x80u);
            return 2;
        }
        if (shifted[i] == c) {
            out[0] = SC_LSHIFT;
            out[1] = (uint8_t)i;
            out[2] = (uint8_t)(i | 0x80u);
            out[3] = SC_LSHIFT | 0x80u;
            return 4;
        }
    }
    return 0;
}

static void reset_request(struct hv_vm *vm, const char *how)
{
    hv_vm_kill(vm, "the guest reset the processor through the i8042 (%s); CPU reset is not modelled", how);
}

static void keyboard_defaults(struct hv_i8042 *k)
{
    k->typematic = TYPEMATIC_DEFAULT;
    k->leds = 0;
}

/* A byte to the keyboard: a command, or the parameter of the previous one. */
static void keyboard_write(struct hv_i8042 *k, uint8_t v)
{
    uint8_t param_of = k->pending_kbd;
    k->pending_kbd = 0;
    switch (param_of) {
    case 0xed: /* set LEDs: bits 2:0 */
        k->leds = v & 7u;
        push(k, KBD_ACK);
        return;
    case 0xf3: /* typematic rate/delay: bit 7 must be 0 */
        k->typematic = v & 0x7fu;
        push(k, KBD_ACK);
        return;
    case 0xf0: /* scancode set: 0 = get, 1 / 2 = select, 3 refused */
        if (v == 0) {
            push(k, KBD_ACK);
            /* with translation the answer is translated too: 1 -> 0x43, 2 -> 0x41, 3 -> 0x3F */
            static const uint8_t xlated[4] = {0, 0x43, 0x41, 0x3f};
            push(k, xlat(k) ? xlated[k->scancode_set & 3u] : k->scancode_set);
        } else if (v == 1 || v == 2) {
            k->scancode_set = v;
            push(k, KBD_ACK);
        } else {
            k->refused++;
            push(k, KBD_RESEND);
        }
        return;
    default:
        break;
    }
    switch (v) {
    case 0xff: /* reset: ACK, then the basic assurance test passes */
        keyboard_defaults(k);
        k->scancode_set = 2;
        k->scanning = true;
        push(k, KBD_ACK);
        push(k, KBD_BAT_OK);
        break;
    case 0xfe: /* resend the last byte */
        push(k, k->last_read);
        break;
    case 0xf6: /* set defaults */
        keyboard_defaults(k);
        push(k, KBD_ACK);
        break;
    case 0xf5: /* disable scanning (and restore defaults) */
        keyboard_defaults(k);
        k->scanning = false;
        push(k, KBD_ACK);
        break;
    case 0xf4:
        k->scanning = true;
        push(k, KBD_ACK);
        break;
    case 0xf2: /* identify: MF2 keyboard AB 83 (translated AB 41) */
        push(k, KBD_ACK);
        push(k, 0xab);
        push(k, xlat(k) ? 0x41 : 0x83);
        break;
    case 0xee:
        push(k, KBD_ECHO);
        break;
    case 0xed:
    case 0xf3:
    case 0xf0:
        k->pending_kbd = v;
        push(k, KBD_ACK);
        break;
    default:
        k->refused++;
        push(k, KBD_RESEND);
        break;
    }
}

static void data_write(struct hv_vm *vm, uint8_t v)
{
    struct hv_i8042 *k = &vm->dev.kbd;
    k->a2 = false;
    uint8_t cmd = k->pending_ctrl;
    k->pending_ctrl = 0;
    switch (cmd) {
    case 0x60:
        k->cmd_byte = v;
        break;
    case 0xd1:
        k->output_port = v;
        if (!(v & 1u))
            reset_request(vm, "output port bit 0 written as 0");
        break;
    case 0xd2: /* the byte appears as if the keyboard sent it */
        push(k, v);
        break;
    case 0xd3:
    case 0xd4: /* aux device: none; the byte is swallowed */
        break;
    default:
        keyboard_write(k, v);
        break;
    }
    update_irq(vm);
}

static void command_write(struct hv_vm *vm, uint8_t v)
{
    struct hv_i8042 *k = &vm->dev.kbd;
    k->a2 = true;
    k->pending_ctrl = 0; /* a command cancels one still waiting for its data byte */
    switch (v) {
    case 0x20:
        push(k, k->cmd_byte);
        break;
    case 0x60:
    case 0xd1:
    case 0xd2:
        k->pending_ctrl = v;
        break;
    case 0xd3:
    case 0xd4:
        k->pending_ctrl = v;
        k->refused++;
        break;
    case 0xa7:
        k->cmd_byte |= CMD_DISABLE_AUX;
        break;
    case 0xaa: /* self-test passed; the system flag is set after a successful self-test */
        k->cmd_byte |= CMD_SYS;
        push(k, 0x55);
        break;
    case 0xab: /* keyboard interface test: no error */
        push(k, 0x00);
        break;
    case 0xad:
        k->cmd_byte |= CMD_DISABLE_KBD;
        break;
    case 0xae:
        k->cmd_byte &= (uint8_t)~CMD_DISABLE_KBD;
        break;
    case 0xd0:
        push(k, k->output_port);
        break;
    case 0xdd:
        k->output_port &= (uint8_t)~2u;
        break;
    case 0xdf:
        k->output_port |= 2u;
        break;
    default:
        if (v >= 0xf0) {
            /* pulse output port bits 3:0 for each 0 bit; bit 0 is the CPU reset line */
            if (!(v & 1u))
                reset_request(vm, "pulse command with bit 0 = 0 (0xFE)");
        } else {
            k->refused++; /* 0xA8 / 0xA9 (aux: none), and commands not modelled */
        }
        break;
    }
    update_irq(vm);
}

static uint8_t data_read(struct hv_vm *vm)
{
    struct hv_i8042 *k = &vm->dev.kbd;
    if (k->count == 0)
        return k->last_read; /* the output register keeps its last byte */
    uint8_t b = k->fifo[k->head];
    k->head = (uint8_t)((k->head + 1u) % HV_I8042_FIFO);
    k->count--;
    k->last_read = b;
    /* the line drops with the read; a next byte raises it again: one edge per byte */
    if (k->irq_line) {
        k->irq_line = false;
        hv_irq_lower(vm, 1);
    }
    update_irq(vm);
    return b;
}

static uint8_t status_read(const struct hv_i8042 *k)
{
    return (uint8_t)((k->count ? ST_OBF : 0) | ((k->cmd_byte & CMD_SYS) ? ST_SYS : 0) | (k->a2 ? ST_A2 : 0) |
                     ST_INH);
}

static uint8_t kbd_in(struct hv_vm *vm, uint16_t port)
{
    return port == 0x60 ? data_read(vm) : status_read(&vm->dev.kbd);
}

static void kbd_out(struct hv_vm *vm, uint16_t port, uint8_t v)
{
    if (port == 0x60)
        data_write(vm, v);
    else
        command_write(vm, v);
}

static uint32_t port_in(void *opaque, uint16_t port, unsigned size)
{
    return hv_dev_in_bytes(opaque, port, size, kbd_in);
}

static void port_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    hv_dev_out_bytes(opaque, port, size, value, kbd_out);
}

bool hv_i8042_irq_wanted(const struct hv_vm *vm)
{
    const struct hv_i8042 *k = &vm->dev.kbd;
    return k->attached && k->count > 0 && (k->cmd_byte & CMD_INT);
}

bool hv_i8042_attach(struct hv_vm *vm)
{
    struct hv_i8042 *k = &vm->dev.kbd;
    hv_memset(k, 0, sizeof *k);
    /* As a PC BIOS leaves it: IRQ 1 on, system flag set (POST passed), aux disabled, translation on; the
     * keyboard scanning in set 2 (which translation shows the guest as set 1); A20 on, reset line high. */
    k->cmd_byte = CMD_INT | CMD_SYS | CMD_DISABLE_AUX | CMD_XLAT;
    k->output_port = 0x03;
    k->scancode_set = 2;
    k->scanning = true;
    keyboard_defaults(k);
    /* Two ranges: 0x61-0x63 (system control port B, ...) are not this device. */
    struct hv_port_range data = {.first = 0x60, .last = 0x60, .in = port_in, .out = port_out, .opaque = vm};
    struct hv_port_range cmd = {.first = 0x64, .last = 0x64, .in = port_in, .out = port_out, .opaque = vm};
    if (hv_vm_add_ports(vm, &data) != HV_OK || hv_vm_add_ports(vm, &cmd) != HV_OK)
        return false;
    k->attached = true;
    return true;
}

const char *hv_i8042_invariant(const struct hv_vm *vm)
{
    const struct hv_i8042 *k = &vm->dev.kbd;
    if (k->count > HV_I8042_FIFO)
        return "i8042.fifo.count";
    if (k->head >= HV_I8042_FIFO)
        return "i8042.fifo.head";
    if (k->attached && k->scancode_set != 1 && k->scancode_set != 2)
        return "i8042.scancode_set";
    switch (k->pending_ctrl) {
    case 0: case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4: break;
    default: return "i8042.pending_controller_command";
    }
    switch (k->pending_kbd) {
    case 0: case 0xed: case 0xf0: case 0xf3: break;
    default: return "i8042.pending_keyboard_command";
    }
    if (k->irq_line != (k->count > 0 && (k->cmd_byte & CMD_INT)))
        return "i8042.irq_line.obf";
    return NULL;
}
