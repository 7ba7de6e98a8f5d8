/* libFuzzer harness of the plugin info check: what the loader verifies of
 * a plugin's info block before init (the size and ABI declared, name,
 * version, service_area, description and licence present and well
 * formed, url read only when the block is large enough), then staging,
 * init's registrations and the commit to the registry, through
 * ap_plugin_load_static, which runs the same checks as a file's load.
 *
 * The input: byte 0 chooses the declared size, byte 1 the ABI major,
 * byte 2 the minor; then fields separated by NUL bytes: name, version,
 * service_area, description, licence, url, the KPI JSON init registers,
 * a measure's name and columns, and a calculator's name and signature.  A
 * field the input does not reach is NULL (a missing KPI JSON, measure or
 * calculator is not registered).  A plugin that loads is loaded a second
 * time under another label, which must be refused (its name is taken);
 * the registry is then emptied (ap_plugins_shutdown). */
#include "apportion/plugin.h"
#include "apportion/registry.h"
#include "fuzz.h"

enum {
    F_NAME, F_VERSION, F_AREA, F_DESCRIPTION, F_LICENCE, F_URL, F_KPIS,
    F_MEASURE, F_COLUMNS, F_CALCULATOR, F_SIGNATURE, N_FIELDS
};

static ap_plugin_info info;
static const char *fields[N_FIELDS];

static const ap_plugin_info *fuzz_info(void)
{
    return &info;
}

static int given(int field)
{
    return fields[field] != NULL && fields[field][0] != '\0';
}

static ap_status measure(void *user, const ap_measure_input *in, size_t from,
                         size_t to, int64_t *numerator, int64_t *denominator,
                         ap_error *err)
{
    (void)user, (void)in, (void)err;
    for (size_t r = from; r < to; r++)
        numerator[r - from] = denominator[r - from] = 0;
    return AP_OK;
}

static int64_t calculator(int64_t a, ap_error *err)
{
    (void)err;
    return a;
}

static ap_status fuzz_init(const ap_host *host, ap_registrar *reg,
                           char **message)
{
    (void)message;
    ap_error err;
    ap_status st = AP_OK;
    if (given(F_KPIS) &&
        !fuzz_json_skip((const uint8_t *)fields[F_KPIS],
                        strlen(fields[F_KPIS]))) {
        st = host->register_kpis(reg, fields[F_KPIS], &err);
        fuzz_expect_status("register_kpis", st, &err);
    }
    if (st == AP_OK && given(F_MEASURE)) {
        ap_measure_def def = {sizeof def, fields[F_MEASURE], "fuzzed",
                              fields[F_COLUMNS], 100, AP_MEASURE_ROWWISE,
                              measure, NULL};
        st = host->register_measure(reg, &def, &err);
        fuzz_expect_status("register_measure", st, &err);
    }
    if (st == AP_OK && given(F_CALCULATOR)) {
        ap_calculator_def def = {sizeof def, fields[F_CALCULATOR],
                                 fields[F_SIGNATURE], "fuzzed",
                                 AP_CALCULATOR_FN(calculator)};
        st = host->register_calculator(reg, &def, &err);
        fuzz_expect_status("register_calculator", st, &err);
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t size_choice = fuzz_take_byte(&data, &size);
    uint8_t major = fuzz_take_byte(&data, &size);
    uint8_t minor = fuzz_take_byte(&data, &size);
    fuzz_begin(data, size);
    /* The fields point into a NUL-terminated copy of the rest, kept in
     * this program's own data segment as a plugin's strings are in its
     * (the loader may refuse pointers outside every loaded segment). */
    static char copy[(1 << 16) + 1];
    if (size > sizeof copy - 1)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    size_t at = 0;
    for (int f = 0; f < N_FIELDS; f++) {
        if (at <= size && !(at == size && f > 0)) {
            fields[f] = copy + at;
            at += strlen(copy + at) + 1;
        } else {
            fields[f] = NULL;
        }
    }

    memset(&info, 0, sizeof info);
    switch (size_choice % 4) {
    case 0: info.size = sizeof info; break;
    case 1: info.size = AP_PLUGIN_INFO_SIZE_1_0; break;
    default: info.size = (size_t)size_choice * 2; break;
    }
    info.abi_major = major % 3;
    info.abi_minor = minor % 3;
    info.name = fields[F_NAME];
    info.version = fields[F_VERSION];
    info.service_area = fields[F_AREA];
    info.description = fields[F_DESCRIPTION];
    info.licence = fields[F_LICENCE];
    info.url = fields[F_URL];

    ap_error err;
    const ap_plugin *p = NULL;
    ap_status st = ap_plugin_load_static(fuzz_info, fuzz_init,
                                         "<fuzz:one>", &p, &err);
    fuzz_expect_status("ap_plugin_load_static", st, &err);
    if (st == AP_OK) {
        if (p == NULL || ap_plugin_count() != 1) {
            fprintf(stderr, "a plugin loaded, but the registry holds %zu\n",
                    ap_plugin_count());
            abort();
        }
        const ap_plugin *again = NULL;
        st = ap_plugin_load_static(fuzz_info, fuzz_init, "<fuzz:two>",
                                   &again, &err);
        fuzz_expect_status("ap_plugin_load_static", st, &err);
        if (st == AP_OK || ap_plugin_count() != 1) {
            fprintf(stderr, "a plugin of a name already loaded was loaded "
                    "again (%s); the registry holds %zu\n",
                    ap_status_name(st), ap_plugin_count());
            abort();
        }
    } else if (ap_plugin_count() != 0) {
        fprintf(stderr, "a refused plugin left %zu in the registry\n",
                ap_plugin_count());
        abort();
    }
    ap_plugins_shutdown();
    return 0;
}
