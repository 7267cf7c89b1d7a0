/* The sim's clock: virtual, deterministic, per logical processor. hv_arch_time_ns (arch.h) returns it; it
 * moves only when the harness moves it, so a run (a test, a fuzz input, a scenario) gives the same device
 * timing every time. It starts at 0 when the machine is made. */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <hv/arch.h>
#include <stdint.h>

/* Set the clock. The clock is monotonic: a value below the current one is ignored (returns false). */
bool sim_cpu_set_time_ns(struct hv_arch_cpu *cpu, uint64_t ns);
/* Advance the clock by ns (saturating at UINT64_MAX). */
void sim_cpu_advance_time_ns(struct hv_arch_cpu *cpu, uint64_t ns);
/* The clock, as hv_arch_time_ns reads it. */
uint64_t sim_cpu_time_ns(const struct hv_arch_cpu *cpu);

#endif
