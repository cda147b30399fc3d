/* report.c: `fleet report --html` — one self-contained page (inline CSS, no
 * script, no external resource): the host kinds, the migration pools, the
 * CPU model ladder, and a migration matrix between host kinds.
 *
 * Matrix cell (A, B): a guest with A's defaults (q35 / s390-ccw-virtio,
 * host-model CPU, default platform), resolved on A, migrated to B —
 * vmc_migrate_check, the same verdict `migrate check` gives; the cell's
 * title holds the first reason. Kinds × kinds checks: the report is for
 * people, not the hot path.
 */
#include "fleet/fleet-private.h"
#include "fleet/answers-private.h"

#include <string.h>

#include <vmcompat/error.h>
#include <vmcompat/migrate.h>

static void
vmc_html_escape(GString *out, const char *s)
{
    for (const char *c = s ? s : ""; *c; c++) {
        switch (*c) {
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&#39;"); break;
        default: g_string_append_c(out, *c);
        }
    }
}

/* A's default guest, resolved on A (NULL when it does not start there). */
static VmcAbi *
vmc_report_default_abi(VmcCatalog *cat, const VmcHost *h)
{
    g_autofree char *xml = vmc__fleet_default_domain_xml(vmc_host_get_arch(h));
    g_autoptr(VmcGuest) g = vmc_guest_parse(cat, xml, strlen(xml), "default", NULL);
    return g ? vmc_guest_resolve(cat, g, h, NULL, NULL) : NULL;
}

char *
vmc_fleet_report_html(VmcFleet *fleet, const char *where, GError **error)
{
    g_autoptr(GHashTable) counts = NULL, examples = NULL;
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GArray) pools = NULL, rungs = NULL;
    g_autoptr(GPtrArray) abis = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_abi_unref);
    g_autoptr(GString) h = g_string_new(NULL);
    GHashTableIter it;
    gpointer k, v;
    guint total = 0;

    if (!(counts = vmc__fleet_kind_counts(fleet, where, &examples, error)) ||
        !(pools = vmc_fleet_pools(fleet, where, VMC_CPU_CHECK_DEFAULT, error)) ||
        !(rungs = vmc_fleet_ladder(fleet, where, error)))
        return NULL;
    g_hash_table_iter_init(&it, counts);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_array_append_val(ids, *(gint64 *) k);
        total += GPOINTER_TO_UINT(v);
    }
    g_array_sort(ids, vmc__gint64_cmp);

    g_string_append(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<title>vmcompat fleet report</title>\n<style>\n"
                       "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
                       "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
                       "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;font-size:13px}\n"
                       "th{background:#eee}\n"
                       "td.ok{background:#b9e4b0;text-align:center}\n"
                       "td.no{background:#f2b8b5;text-align:center}\n"
                       "td.self{background:#ddd;text-align:center}\n"
                       ".bar{background:#4a7bd0;height:10px;display:inline-block}\n"
                       "</style>\n</head>\n<body>\n<h1>Fleet report</h1>\n");
    g_string_append_printf(h, "<p id=\"summary\">%u hosts in %u host kinds", total, ids->len);
    if (where) {
        g_string_append(h, " where ");
        vmc_html_escape(h, where);
    }
    g_string_append_printf(h, "; %u migration pools.</p>\n", pools->len);

    /* kinds */
    g_string_append(h, "<h2>Host kinds</h2>\n<table id=\"kinds\">\n<tr><th>kind</th><th>hosts</th>"
                       "<th>example</th><th>CPU (host-model)</th><th>QEMU</th><th>kernel</th></tr>\n");
    for (guint i = 0; i < ids->len; i++) {
        gint64 id = g_array_index(ids, gint64, i);
        const VmcHost *host = vmc__fleet_kind_host(fleet, id, error);
        g_autoptr(VmcCpuDef) model = NULL;
        if (!host)
            return NULL;
        model = vmc_host_model(host, NULL, NULL);
        g_string_append_printf(h, "<tr><td>%" G_GINT64_FORMAT "</td><td>%u</td><td>", id,
                               GPOINTER_TO_UINT(g_hash_table_lookup(counts, &id)));
        vmc_html_escape(h, g_hash_table_lookup(examples, &id));
        g_string_append(h, "</td><td>");
        vmc_html_escape(h, model ? vmc_cpu_def_get_model(model) : "?");
        g_string_append(h, "</td><td>");
        vmc_html_escape(h, vmc_host_get_qemu_version(host));
        g_string_append(h, "</td><td>");
        vmc_html_escape(h, vmc_host_get_kernel(host));
        g_string_append(h, "</td></tr>\n");
        g_ptr_array_add(abis, vmc_report_default_abi(fleet->cat, host));
    }
    g_string_append(h, "</table>\n");

    /* pools */
    g_string_append(h, "<h2>Migration pools</h2>\n<table id=\"pools\">\n<tr><th>pool</th><th>guests</th>"
                       "<th>hosts</th><th>kinds</th><th>baseline CPU</th><th>newest machine type</th>"
                       "<th>newest platform</th><th>limiting kinds</th></tr>\n");
    for (guint i = 0; i < pools->len; i++) {
        const VmcFleetPool *p = &g_array_index(pools, VmcFleetPool, i);
        g_string_append_printf(h, "<tr><td>%u</td><td>%u</td><td>%u</td><td>", i + 1, p->guests->len,
                               p->n_hosts);
        for (guint j = 0; j < p->kinds->len; j++)
            g_string_append_printf(h, "%s%" G_GINT64_FORMAT, j ? ", " : "", g_array_index(p->kinds, gint64, j));
        g_string_append(h, "</td><td>");
        vmc_html_escape(h, p->baseline ? vmc_cpu_def_get_model(p->baseline) : "—");
        g_string_append(h, "</td><td>");
        vmc_html_escape(h, p->machine ? p->machine : "—");
        g_string_append(h, "</td><td>");
        vmc_html_escape(h, p->platform ? p->platform : "—");
        g_string_append(h, "</td><td>");
        for (guint j = 0; j < p->limiting->len && j < 3; j++) {
            const VmcFleetLimit *l = &g_array_index(p->limiting, VmcFleetLimit, j);
            g_string_append_printf(h, "%skind %" G_GINT64_FORMAT " (%u hosts): +%u features", j ? "; " : "",
                                   l->kind, l->n_hosts, l->gains->len);
        }
        g_string_append(h, "</td></tr>\n");
    }
    g_string_append(h, "</table>\n");

    /* ladder */
    g_string_append(h, "<h2>CPU model ladder</h2>\n<table id=\"ladder\">\n<tr><th>model</th><th>hosts</th>"
                       "<th>share</th></tr>\n");
    for (guint i = 0; i < rungs->len; i++) {
        const VmcFleetRung *r = &g_array_index(rungs, VmcFleetRung, i);
        double share = r->n_total ? 100.0 * r->n_hosts / r->n_total : 0.0;
        if (r->n_hosts == 0)
            continue;
        g_string_append(h, "<tr><td>");
        vmc_html_escape(h, r->model);
        g_string_append_printf(h, "%s</td><td>%u</td><td><span class=\"bar\" style=\"width:%dpx\"></span> "
                               "%.1f%%</td></tr>\n", r->deprecated ? " (deprecated)" : "", r->n_hosts,
                               (int) (share * 2), share);
    }
    g_string_append(h, "</table>\n");

    /* matrix */
    g_string_append(h, "<h2>Migration matrix</h2>\n<p>Row: the source kind, column: the destination. "
                       "A guest with the source's defaults (q35, host-model CPU, default platform), "
                       "resolved on the source, migrated live to the destination (migrate check). "
                       "Hover a cell for the reason.</p>\n<table id=\"matrix\">\n<tr><th>from \\ to</th>");
    for (guint j = 0; j < ids->len; j++)
        g_string_append_printf(h, "<th>%" G_GINT64_FORMAT "</th>", g_array_index(ids, gint64, j));
    g_string_append(h, "</tr>\n");
    for (guint i = 0; i < ids->len; i++) {
        const VmcAbi *abi = g_ptr_array_index(abis, i);
        const VmcHost *src = vmc__fleet_kind_host(fleet, g_array_index(ids, gint64, i), NULL);
        g_string_append_printf(h, "<tr><th>%" G_GINT64_FORMAT "</th>", g_array_index(ids, gint64, i));
        for (guint j = 0; j < ids->len; j++) {
            const VmcHost *dst = vmc__fleet_kind_host(fleet, g_array_index(ids, gint64, j), NULL);
            g_autoptr(VmcVerdict) vd = NULL;
            const VmcReason *bad;
            if (i == j) {
                g_string_append(h, "<td class=\"self\">·</td>");
                continue;
            }
            if (!abi) {
                g_string_append(h, "<td class=\"no\" title=\"the default guest does not start on the "
                                   "source\">✗</td>");
                continue;
            }
            vd = vmc_migrate_check(abi, src, dst, VMC_CPU_CHECK_DEFAULT);
            bad = vmc_verdict_first_error(vd);
            if (!bad) {
                g_string_append(h, "<td class=\"ok\" title=\"migrates\">✓</td>");
                continue;
            }
            g_string_append(h, "<td class=\"no\" title=\"");
            vmc_html_escape(h, bad->kind);
            g_string_append(h, ": ");
            vmc_html_escape(h, bad->message);
            g_string_append(h, "\">✗</td>");
        }
        g_string_append(h, "</tr>\n");
    }
    g_string_append(h, "</table>\n<p>Made by vmcompat " VMC_VERSION ".</p>\n</body>\n</html>\n");
    return g_string_free(g_steal_pointer(&h), FALSE);
}
