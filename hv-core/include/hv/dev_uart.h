/* The 16550A UART at COM1 (ports 0x3F8-0x3FF, ISA IRQ 4), as the National Semiconductor / TI PC16550D data
 * sheet describes it (register map: "Table II. Summary of Registers"; the NS16550A is its predecessor with
 * the same programming model). Freestanding; the state lives in the VM (vm->dev.uart).
 *
 *   offset  DLAB=0 read        DLAB=0 write       DLAB=1
 *   0       RBR (receive)      THR (transmit)     DLL divisor latch low
 *   1       IER                IER                DLM divisor latch high
 *   2       IIR                FCR                (IIR / FCR as with DLAB=0)
 *   3       LCR (bit 7 = DLAB)
 *   4       MCR (bit 4 = loopback)
 *   5       LSR (read-only: writes are ignored and counted)
 *   6       MSR (read-only: writes are ignored and counted)
 *   7       SCR (scratch)
 *
 * Model choices (each a place where the data sheet leaves timing to a baud clock the VM does not have):
 *   - the transmitter is infinitely fast: a THR write goes to the host sink at once (in loopback: into the
 *     receive FIFO), so LSR.THRE and LSR.TEMT always read 1 and the TX FIFO is always empty;
 *   - the character timeout (IIR 0xC) counts as elapsed at once: in FIFO mode, received data below the
 *     trigger level reports "character timeout", at or above it "received data available" (IIR 0x4);
 *   - the modem lines of the host side read as connected (CTS, DSR, DCD = 1, RI = 0); in loopback they are
 *     MCR's RTS, DTR, OUT1, OUT2 (data sheet, MCR bit 4);
 *   - the interrupt output reaches the PIC only while MCR.OUT2 = 1, as on the IBM PC, where OUT2 gates the
 *     IRQ line's driver.
 * Host input (hv_vm_serial_input) is held in the receive FIFO (16 bytes; 1 byte with FIFOs disabled); a byte
 * that does not fit is lost and sets LSR.OE (overrun), as the data sheet says for the 16550. */
#ifndef HV_DEV_UART_H
#define HV_DEV_UART_H

#include <stdbool.h>
#include <stdint.h>

#define HV_UART_COM1_BASE 0x3f8u
#define HV_UART_COM1_IRQ 4u
#define HV_UART_FIFO_SIZE 16u

/* Register offsets from the base port. */
#define HV_UART_RBR 0u /* read, DLAB = 0 */
#define HV_UART_THR 0u /* write, DLAB = 0 */
#define HV_UART_DLL 0u /* DLAB = 1 */
#define HV_UART_IER 1u /* DLAB = 0 */
#define HV_UART_DLM 1u /* DLAB = 1 */
#define HV_UART_IIR 2u /* read */
#define HV_UART_FCR 2u /* write */
#define HV_UART_LCR 3u
#define HV_UART_MCR 4u
#define HV_UART_LSR 5u
#define HV_UART_MSR 6u
#define HV_UART_SCR 7u

/* IER bits */
#define HV_UART_IER_ERBFI 0x01u /* received data available (and character timeout) */
#define HV_UART_IER_ETBEI 0x02u /* transmitter holding register empty */
#define HV_UART_IER_ELSI 0x04u  /* receiver line status */
#define HV_UART_IER_EDSSI 0x08u /* modem status */
#define HV_UART_IER_MASK 0x0fu  /* bits 7:4 are always 0 */
/* IIR values (bits 3:0; bits 7:6 = 11 when FIFOs are enabled) in priority order */
#define HV_UART_IIR_NONE 0x01u
#define HV_UART_IIR_RLS 0x06u     /* 1st: receiver line status (OE, PE, FE, BI) */
#define HV_UART_IIR_RDA 0x04u     /* 2nd: received data available (>= trigger level) */
#define HV_UART_IIR_TIMEOUT 0x0cu /* 2nd: character timeout (FIFO mode, data below the trigger level) */
#define HV_UART_IIR_THRE 0x02u    /* 3rd: THR empty */
#define HV_UART_IIR_MSR 0x00u     /* 4th: modem status */
#define HV_UART_IIR_FIFO 0xc0u
/* FCR bits */
#define HV_UART_FCR_ENABLE 0x01u
#define HV_UART_FCR_CLEAR_RX 0x02u
#define HV_UART_FCR_CLEAR_TX 0x04u
#define HV_UART_FCR_DMA 0x08u
#define HV_UART_FCR_TRIGGER 0xc0u /* 00: 1 byte, 01: 4, 10: 8, 11: 14 */
/* LCR / MCR / LSR / MSR bits */
#define HV_UART_LCR_DLAB 0x80u
#define HV_UART_MCR_DTR 0x01u
#define HV_UART_MCR_RTS 0x02u
#define HV_UART_MCR_OUT1 0x04u
#define HV_UART_MCR_OUT2 0x08u
#define HV_UART_MCR_LOOP 0x10u
#define HV_UART_MCR_MASK 0x1fu /* bits 7:5 are always 0 */
#define HV_UART_LSR_DR 0x01u
#define HV_UART_LSR_OE 0x02u
#define HV_UART_LSR_PE 0x04u
#define HV_UART_LSR_FE 0x08u
#define HV_UART_LSR_BI 0x10u
#define HV_UART_LSR_THRE 0x20u
#define HV_UART_LSR_TEMT 0x40u
#define HV_UART_LSR_FIFOERR 0x80u
#define HV_UART_MSR_DCTS 0x01u
#define HV_UART_MSR_DDSR 0x02u
#define HV_UART_MSR_TERI 0x04u
#define HV_UART_MSR_DDCD 0x08u
#define HV_UART_MSR_CTS 0x10u
#define HV_UART_MSR_DSR 0x20u
#define HV_UART_MSR_RI 0x40u
#define HV_UART_MSR_DCD 0x80u

struct hv_uart {
    bool attached;           /* devices.c claimed the ports */
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t fcr;             /* FIFO enable, DMA mode and trigger level as last written (bits 0, 3, 7:6) */
    uint8_t lsr_errors;      /* OE (the only error the model produces); cleared by reading LSR */
    uint8_t msr_delta;       /* MSR bits 3:0; cleared by reading MSR */
    uint8_t msr_lines;       /* MSR bits 7:4 as last computed (to detect changes) */
    bool thre_pending;       /* THR-empty interrupt pending: set when THR empties or ETBEI is enabled with it
                              * empty; cleared by a THR write or an IIR read that reports it */
    bool irq_line;           /* what the UART drives on IRQ 4 now */
    uint8_t rx[HV_UART_FIFO_SIZE];
    uint8_t rx_head, rx_count; /* ring: next byte at rx[rx_head], rx_count bytes held */
    /* Counters (tests, traces). */
    uint64_t tx_bytes;       /* bytes sent to the host sink */
    uint64_t rx_bytes;       /* bytes accepted from the host (or loopback) */
    uint64_t overruns;       /* bytes lost to a full receive FIFO (LSR.OE set) */
    uint64_t ignored_writes; /* writes to LSR / MSR (read-only) */
    uint64_t dropped_input;  /* host bytes while in loopback (the serial input is disconnected) */
};

struct hv_vm;
/* Reset state (data sheet "Table IV. UART Reset Configuration"): IER = 0, IIR = 1, FCR = 0, LCR = 0, MCR = 0,
 * LSR = 0x60, MSR bits 3:0 = 0. */
void hv_uart_init(struct hv_uart *u);
/* Port handlers for the range 0x3F8-0x3FF; opaque is the struct hv_vm. A 2- or 4-byte access is split into
 * byte accesses to consecutive registers, as the ISA bus does for an 8-bit device. */
uint32_t hv_uart_port_in(void *opaque, uint16_t port, unsigned size);
void hv_uart_port_out(void *opaque, uint16_t port, unsigned size, uint32_t value);
/* Oracle 6: NULL when the registers and FIFO are within their legal values, else the broken invariant. */
const char *hv_uart_check(const struct hv_uart *u);
/* A byte from the host for the guest to receive (hv/vm.h declares hv_vm_serial_input, the public entry). */
void hv_uart_receive(struct hv_vm *vm, uint8_t byte);

#endif
