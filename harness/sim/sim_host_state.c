/* hv_arch_read_host_state on the sim: the simulated host is a sane 64-bit kernel (SDM Vol. 3 §27.2.3 host
 * checks in mind): a GDT with a 64-bit code segment at 0x08, a flat data segment at 0x10 and a 64-bit TSS at
 * 0x18; descriptor tables and the TSS at canonical higher-half addresses; FS/GS bases 0. The values are the
 * same for every simulated CPU except the TSS and GS base, which are per CPU as on a real SMP kernel. */
#include "sim_machine.h"

#include <string.h>

void hv_arch_read_host_state(struct hv_arch_cpu *cpu, struct hv_host_state *out)
{
    memset(out, 0, sizeof *out);
    out->cs = 0x08;
    out->ss = out->ds = out->es = out->fs = out->gs = 0x10;
    out->tr = 0x18;
    out->fs_base = 0;
    out->gs_base = 0xffff800000010000ull + 0x1000ull * cpu->id; /* per-CPU data, as a kernel keeps it */
    out->gdtr_base = 0xffff800000002000ull;
    out->idtr_base = 0xffff800000004000ull;
    out->tr_base = 0xffff800000020000ull + 0x1000ull * cpu->id;
}
