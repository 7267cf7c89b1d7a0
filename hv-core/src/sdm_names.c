/* Text for the SDM's numbered facts: VM-instruction errors (Vol. 3 §31.4) and exit reasons (Appendix C). */
#include <hv/exit_reasons.h>
#include <hv/vmx_errors.h>

const char *hv_vmx_error_text(unsigned error)
{
    switch (error) {
#define HV_VMX_ERROR_CASE(name, num, text)                                                                   \
    case num:                                                                                                \
        return text;
        HV_VMX_ERRORS(HV_VMX_ERROR_CASE)
#undef HV_VMX_ERROR_CASE
    default:
        return "unknown VM-instruction error";
    }
}

const char *hv_exit_reason_name(unsigned basic_reason)
{
    switch (basic_reason) {
#define HV_EXIT_REASON_CASE(name, num, text)                                                                 \
    case num:                                                                                                \
        return text;
        HV_EXIT_REASONS(HV_EXIT_REASON_CASE)
#undef HV_EXIT_REASON_CASE
    default:
        return 0;
    }
}
