/* The probe: loading and initialising a plugin first in a child process,
 * so that a plugin whose loading or init crashes kills the child, which
 * the host reports, and not the host.
 *
 * The platform layer runs the child (ap__plat_run_in_child: on POSIX a
 * fork, whose child resets its fault signals, writes no core file and
 * leaves with _exit); the child runs the library's opening, the info
 * block's checks and init (ap__plugin_trial) and sends the outcome back.
 * Only the forking thread lives on in the child, so the child must not
 * need a lock another thread may have held at the fork: it calls no
 * Python (the glue holds the GIL across the fork, and the child never
 * touches the interpreter), the loader's path takes no lock of the
 * registry's but in registration's duplicate check, and the registry's
 * lock is held across the fork so that the child's copy is free; glibc
 * resets its own loader and malloc locks in the child.
 *
 * Windows has no fork, and the core no program of its own to start a
 * child process with, so there the probe is not available: it refuses
 * with a message saying so (ap_plugin_probe_available() tells a caller
 * first), rather than loading the plugin unprobed behind the caller's
 * back.  The caller decides whether to load the plugin without it. */
#include <stdlib.h>
#include <string.h>

#include "apportion/plugin.h"
#include "platform/platform.h"
#include "plugin/plugin_internal.h"

/* What the child sends back: its status and error. */
typedef struct outcome {
    ap_status status;
    ap_error err;
} outcome;

/* The child's work: exit status 0 when the trial passed, 1 when not. */
static int trial(void *arg, void *out_v)
{
    outcome *out = out_v;
    memset(out, 0, sizeof *out);
    out->status = ap__plugin_trial(arg, &out->err);
    return out->status == AP_OK ? 0 : 1;
}

int ap_plugin_probe_available(void)
{
    return ap__plat_child_available();
}

ap_status ap_plugin_probe(const char *path, long timeout_ms, ap_error *err)
{
    ap_error_clear(err);
    char *real;
    ap_status st = ap__plugin_resolve(path, &real, err);
    if (st != AP_OK)
        return st;
    int already;
    st = ap__plugin_checked(real, &already, err);
    if (st != AP_OK || already) {
        free(real);
        return st;
    }
    if (!ap__plat_child_available()) {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be probed: "
                          "loading a plugin first in a child process is not "
                          "available on %s; load it without the probe if "
                          "you trust it", real, AP__PLAT_NAME);
        free(real);
        return st;
    }
    outcome out;
    memset(&out, 0, sizeof out);
    ap__plat_child_result res;
    /* The registry's lock is held across the fork, so the child's copy is
     * not held by a thread the child does not have. */
    ap__plat_run_in_child(trial, real, &out, sizeof out, timeout_ms,
                          ap__registry_lock, ap__registry_unlock, &res);
    switch (res.end) {
    case AP__PLAT_CHILD_DONE:
        /* The child's own word, whatever its exit. */
        st = out.status;
        if (st != AP_OK && err != NULL)
            *err = out.err;
        break;
    case AP__PLAT_CHILD_TIMEOUT:
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the probe "
                          "process did not finish loading it within %ld ms "
                          "(its init may never return), and was stopped",
                          real, timeout_ms);
        break;
    case AP__PLAT_CHILD_SIGNAL:
        if (res.signal != NULL)
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the "
                              "plugin crashed the probe process with %s",
                              real, res.signal);
        else
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the "
                              "plugin crashed the probe process with signal "
                              "%d", real, res.code);
        break;
    case AP__PLAT_CHILD_EXITED:
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the "
                          "plugin ended the probe process (exit status %d) "
                          "before its init returned", real, res.code);
        break;
    case AP__PLAT_CHILD_FAILED:
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be probed: %s",
                          real, res.why);
        break;
    case AP__PLAT_CHILD_UNAVAILABLE:
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be probed: %s",
                          real, res.why);
        break;
    case AP__PLAT_CHILD_UNSEEN:
    default:
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be probed: the "
                          "probe process's end could not be seen", real);
        break;
    }
    free(real);
    return st;
}
