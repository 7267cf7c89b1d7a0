/* The sim's virtual monotonic clock (sim_time.h): a field of the simulated processor that only the harness
 * moves. Nothing advances it implicitly (not VM entries, not exits), so device timing in a run depends only
 * on what the run says. */
#include "sim_time.h"

#include "sim_machine.h"

uint64_t hv_arch_time_ns(struct hv_arch_cpu *cpu)
{
    return cpu ? cpu->time_ns : 0;
}

uint64_t sim_cpu_time_ns(const struct hv_arch_cpu *cpu)
{
    return cpu->time_ns;
}

bool sim_cpu_set_time_ns(struct hv_arch_cpu *cpu, uint64_t ns)
{
    if (ns < cpu->time_ns)
        return false; /* monotonic: never back */
    cpu->time_ns = ns;
    return true;
}

void sim_cpu_advance_time_ns(struct hv_arch_cpu *cpu, uint64_t ns)
{
    cpu->time_ns = ns > UINT64_MAX - cpu->time_ns ? UINT64_MAX : cpu->time_ns + ns;
}
