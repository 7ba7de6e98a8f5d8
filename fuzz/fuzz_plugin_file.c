/* libFuzzer harness of the plugin file check: ap_plugin_file_check, the
 * ELF reader the loader runs on a plugin file's bytes before dlopen
 * (csrc/plugin/plugin_file_check.c).  The input is the file.  Any bytes
 * must be accepted or refused with a message that names the file and
 * says "is refused: "; a read outside the input is a defect the
 * sanitizers see.  A refused input is refused again, with the same
 * message, when checked a second time (the check keeps no state). */
#include "apportion/plugin.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_begin(data, size);
    ap_error err;
    ap_status st = ap_plugin_file_check(data, size, "fuzz.so", &err);
    fuzz_expect_status("ap_plugin_file_check", st, &err);
    if (st != AP_OK && st != AP_E_PLUGIN) {
        fprintf(stderr, "ap_plugin_file_check returned %s: %s\n",
                ap_status_name(st), err.message);
        abort();
    }
    if (st == AP_OK)
        return 0;
    if (strncmp(err.message, "plugin fuzz.so is refused: ",
                strlen("plugin fuzz.so is refused: ")) != 0) {
        fprintf(stderr, "a refusal that does not start \"plugin fuzz.so is "
                "refused: \": %s\n", err.message);
        abort();
    }
    ap_error again;
    if (ap_plugin_file_check(data, size, "fuzz.so", &again) != st ||
        strcmp(again.message, err.message) != 0) {
        fprintf(stderr, "a second check differs: \"%s\" then \"%s\"\n",
                err.message, again.message);
        abort();
    }
    return 0;
}
