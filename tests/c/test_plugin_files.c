/* Loading the plugins as files, the way apportion loads them at run time:
 * the three first-party plugins and the template (as `plugin new demo`
 * writes it), each built by the build as a shared library of this
 * platform (.so, .dylib or .dll) into AP_TEST_PLUGIN_DIR.  Each goes
 * through ap_plugin_load: the file checks, the library loader, the info
 * block, init and registration; then a calculator of each is called
 * through libffi across the library boundary, and an error a plugin
 * raises comes back whole.  The other plugin tests link a plugin into the
 * runner (ap_plugin_load_static); these are the ones that prove the
 * platform's library loading (dlopen, dyld, LoadLibrary). */
#include <stdint.h>
#include <stdio.h>

#include "apportion/apportion.h"
#include "apportion/registry.h"
#include "platform/platform.h"
#include "runner.h"

#ifndef AP_TEST_PLUGIN_DIR
#error "AP_TEST_PLUGIN_DIR must name the folder the build put the plugins in"
#endif

/* Loads plugin `name` from the build's folder and checks what it says of
 * itself; its service area. */
static const ap_area *load(const char *name, const char *area)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", AP_TEST_PLUGIN_DIR, name,
             AP__PLAT_PLUGIN_SUFFIX);
    const ap_plugin *p = NULL;
    int already = -1;
    ap_error err;
    if (ap_plugin_load(path, &p, &already, &err) != AP_OK) {
        fprintf(stderr, "loading %s: %s\n", path, err.message);
        CHECK(!"the plugin loads");
    }
    CHECK(p != NULL && already == 0);
    CHECK_STR(ap_plugin_name(p), name);
    CHECK_STR(ap_plugin_service_area(p), area);
    CHECK_CONTAINS(ap_plugin_path(p), name);
    CHECK(ap_plugin_find(name) == p);

    /* The same file again is the plugin already loaded. */
    const ap_plugin *again = NULL;
    CHECK(ap_plugin_load(path, &again, &already, &err) == AP_OK);
    CHECK(again == p && already == 1);

    const ap_area *a = ap_area_find(area);
    CHECK(a != NULL && ap_area_plugin(a) == p);
    return a;
}

static ap_value value(ap_value_type type, int64_t i)
{
    ap_value v;
    v.type = type;
    v.as.i = i;
    return v;
}

TEST(plugin_files_load_and_register)
{
    size_t before = ap_plugin_count();
    const ap_area *iass = load("iass", "IASS");
    const ap_area *nct = load("nct", "NCT");
    const ap_area *tr = load("transformation", "TRANSFORMATION");
    const ap_area *demo = load("demo", "DEMO");
    CHECK_EQ_I64(ap_plugin_count(), before + 4);

    /* Each registered what its source says. */
    CHECK(ap_area_kpis(iass) != NULL && ap_area_kpis(iass)->n > 0);
    CHECK(ap_area_kpis(nct) != NULL && ap_area_kpis(nct)->n > 0);
    CHECK(ap_area_kpis(demo) != NULL && ap_area_kpis(demo)->n == 1);
    CHECK_EQ_I64(ap_area_item_count(tr, AP_ITEM_CHECK), 3);
    CHECK_EQ_I64(ap_area_item_count(iass, AP_ITEM_CALCULATOR), 2);
    ap_item_info info;
    ap_error err;
    CHECK(ap_area_item_find(demo, AP_ITEM_CALCULATOR, "due_date", &info,
                            &err) == AP_OK);
    ap_plugins_shutdown();
}

TEST(plugin_files_calculators_through_libffi)
{
    const ap_area *nct = load("nct", "NCT");
    const ap_area *tr = load("transformation", "TRANSFORMATION");
    const ap_area *demo = load("demo", "DEMO");
    ap_error err;
    ap_value r;

    /* NCT's contract split of the £29.670m pressure, 44.16 : 55.84. */
    ap_value split[] = {value(AP_TYPE_MONEY, INT64_C(2967000000)),
                        value(AP_TYPE_INT64, 0)};
    CHECK(ap_area_call(nct, "contract_split", split, 2, &r, &err) == AP_OK);
    CHECK(r.type == AP_TYPE_MONEY);
    CHECK_EQ_I64(r.as.i, INT64_C(1310227200));
    split[1].as.i = 1;
    CHECK(ap_area_call(nct, "contract_split", split, 2, &r, &err) == AP_OK);
    CHECK_EQ_I64(r.as.i, INT64_C(1656772800));
    /* The plugin's own error, formatted by the host's error_set. */
    split[1].as.i = 2;
    CHECK(ap_area_call(nct, "contract_split", split, 2, &r, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "authority is 2; it must be 0 for NNC "
                                "(44.16%) or 1 for WNC (55.84%)");

    /* Transformation: £3.291m provision less £1.456m agreed. */
    ap_value balance[] = {value(AP_TYPE_MONEY, INT64_C(329100000)),
                          value(AP_TYPE_MONEY, INT64_C(145600000))};
    CHECK(ap_area_call(tr, "balance_outstanding", balance, 2, &r, &err) ==
          AP_OK);
    CHECK_EQ_I64(r.as.i, INT64_C(183500000));

    /* The template's due date: Friday 20 December 2024 and three working
     * days, past Christmas Day and Boxing Day, is Friday the 27th. */
    ap_value due[] = {value(AP_TYPE_DATE, 20077), value(AP_TYPE_INT64, 3)};
    CHECK(ap_area_call(demo, "due_date", due, 2, &r, &err) == AP_OK);
    CHECK(r.type == AP_TYPE_DATE);
    CHECK_EQ_I64(r.as.i, 20084);
    due[1].as.i = 400;
    CHECK(ap_area_call(demo, "due_date", due, 2, &r, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "days must be from 0 to 366, not 400");
    ap_plugins_shutdown();
}

TEST(plugin_files_refuse_a_file_that_is_no_library)
{
    char dir[512], file[600];
    ap_test_temp_dir("ap_plugin_files", dir, sizeof dir);
    snprintf(file, sizeof file, "%s/fake%s", dir, AP__PLAT_PLUGIN_SUFFIX);
    FILE *f = fopen(file, "wb");
    CHECK(f != NULL);
    fputs("not a shared library\n", f);
    CHECK(fclose(f) == 0);
    const ap_plugin *p = NULL;
    ap_error err;
    CHECK(ap_plugin_load(file, &p, NULL, &err) == AP_E_PLUGIN);
    CHECK(p == NULL);
    /* The file as the loader names it: its real path (on Windows with
     * backslashes and the temporary folder's long name). */
    CHECK_CONTAINS(err.message, ap_test_base_name(dir));
    CHECK_CONTAINS(err.message, "fake" AP__PLAT_PLUGIN_SUFFIX);
    CHECK_EQ_I64(ap_plugin_count(), 0);
    ap_test_remove(file);
    ap_test_remove_dir(dir);
    ap_plugins_shutdown();
}

/* The probe loads a plugin in a child process first.  Where a child can
 * run a function of this process (fork: Linux, macOS) each plugin passes
 * it and nothing is registered here; on Windows, which has no fork, the
 * probe says it is not available there, naming the file. */
TEST(plugin_files_probe)
{
    const char *names[] = {"iass", "nct", "transformation", "demo"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s%s", AP_TEST_PLUGIN_DIR, names[i],
                 AP__PLAT_PLUGIN_SUFFIX);
        ap_error err;
        ap_status st = ap_plugin_probe(path, 20000, &err);
        if (ap_plugin_probe_available()) {
            if (st != AP_OK)
                fprintf(stderr, "probing %s: %s\n", path, err.message);
            CHECK(st == AP_OK);
        } else {
            CHECK(st == AP_E_PLUGIN);
            CHECK_CONTAINS(err.message, names[i]);
            CHECK_CONTAINS(err.message, "cannot be probed: loading a plugin "
                                        "first in a child process is not "
                                        "available on " AP__PLAT_NAME);
        }
        CHECK_EQ_I64(ap_plugin_count(), 0);
    }
}
