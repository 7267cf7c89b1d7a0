/* The 8254 programmable interval timer of the PC (Intel 8254 datasheet): counters 0-2 at ports 0x40-0x42,
 * control word at 0x43, input clock 1.193182 MHz. Counter 0 drives IRQ 0; counters 1 and 2 are counters
 * only (their gates are fixed high; port 0x61 is not modelled). State per VM (vm->dev.pit); pit8254.c. */
#ifndef HV_DEV_PIT_H
#define HV_DEV_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define HV_PIT_HZ 1193182u /* the PC's 8254 input clock: 14.31818 MHz / 12 */

/* Read/write access of a counter (control word bits 5:4; 00 is the counter latch command, not a mode). */
enum hv_pit_access { HV_PIT_ACCESS_LO = 1, HV_PIT_ACCESS_HI = 2, HV_PIT_ACCESS_LOHI = 3 };

struct hv_pit_channel {
    uint16_t count_reg;     /* CR: the count as written (0 = 65536, or 10000 in BCD) */
    uint8_t mode;           /* 0..5 (control word values 6 and 7 are modes 2 and 3, datasheet) */
    uint8_t mode_bits;      /* M2..M0 exactly as written (6 and 7 too): what the read-back status shows */
    uint8_t access;         /* enum hv_pit_access */
    bool bcd;               /* BCD counting (4 decades) */
    bool write_lsb_done;    /* lo/hi write flip-flop: LSB written, MSB next */
    uint8_t write_lsb;      /* the LSB of a lo/hi write in progress */
    bool read_msb_next;     /* lo/hi read flip-flop (unlatched reads) */
    bool counting;          /* a count has been loaded since the control word */
    bool null_count;        /* status bit 6: CR written but not yet loaded into CE (until the next load) */
    uint64_t load_ns;       /* clock time the count was loaded (counting starts) */
    uint64_t periods_done;  /* channel 0: expiries already turned into IRQ 0 edges since load_ns */
    bool fired;             /* one-shot modes (0, 4): the terminal count has been signalled */
    /* counter latch command / read-back latch: a snapshot the guest reads before live values */
    bool count_latched;
    uint16_t latch;         /* latched count (bytes in the access order) */
    uint8_t latch_bytes;    /* latched bytes left to read: 0..2 */
    bool status_latched;
    uint8_t status;
};

struct hv_pit {
    struct hv_pit_channel ch[3];
    bool attached;
    uint64_t irq_edges;     /* IRQ 0 edges raised */
    uint64_t missed_ticks;  /* channel-0 expiries coalesced into an edge already raised or still pending */
    uint64_t refused;       /* writes that were ignored (bad read-back selection, ...) */
};

#endif
