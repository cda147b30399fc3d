/* osdb.c: the operating systems of osinfo-db, read through libosinfo.
 *
 * libosinfo does the XML and the inheritance (derives-from, clones: CentOS
 * 6.8 gets its devices from RHEL 6.8); this file keeps what the policy
 * needs — dates, vendor, family, whether the q35 chipset and which virtio
 * PCI ids (transitional and 1.0) the OS drives, built in or through an
 * installable driver — in plain structs, so the rest never touches GObject.
 *
 * Workload: the whole database once per process (~800 OSes, ~0.2 s, most
 * of it libosinfo's XML parsing); lookups are a hash table.
 */
#include "policy/policy-private.h"

#include <osinfo/osinfo.h>
#include <stdio.h>
#include <string.h>

#include <vmcompat/error.h>

const VmcVirtioKind vmc__virtio_kinds[VMC_OS_VIRTIO_KINDS] = {
    { "net", "virtio-net", 0x1000, 0x1041 },
    { "block", "virtio-block", 0x1001, 0x1042 },
    { "console", "virtio-console", 0x1003, 0x1043 },
    { "rng", "virtio-rng", 0x1005, 0x1044 },
    { "balloon", "virtio-balloon", 0x1002, 0x1045 },
    { "scsi", "virtio-scsi", 0x1004, 0x1048 },
    { "9p", "virtio-9p", 0x1009, 0x1049 },
    { "gpu", "virtio-gpu", 0, 0x1050 },
    { "input", "virtio-input", 0, 0x1052 },
    { "vsock", "virtio-vsock", 0, 0x1053 },
    { "fs", "virtio-fs", 0, 0x105a },
};

#define VMC_OSINFO_Q35 "http://qemu.org/chipset/x86/q35"
#define VMC_OSINFO_PCI_VIRTIO "http://pcisig.com/pci/1af4/"

int
vmc__virtio_kind_index(const char *kind)
{
    for (int i = 0; i < VMC_OS_VIRTIO_KINDS; i++)
        if (kind && g_str_equal(kind, vmc__virtio_kinds[i].kind))
            return i;
    return -1;
}

struct _VmcOsDb {
    GArray *oses;            /* VmcOsInfo, sorted */
    GArray *virtio;          /* VmcOsVirtio, VMC_OS_VIRTIO_KINDS per OS */
    GHashTable *by_name;     /* id and short id → index + 1 */
    GStringChunk *strings;
    char *describe;
};

void
vmc_os_db_free(VmcOsDb *db)
{
    if (!db)
        return;
    g_array_unref(db->oses);
    g_array_unref(db->virtio);
    g_hash_table_unref(db->by_name);
    g_string_chunk_free(db->strings);
    g_free(db->describe);
    g_free(db);
}

gboolean
vmc_date_parse(const char *s, GDate *ret, GError **error)
{
    unsigned y, m, d;
    int n = 0;

    g_date_clear(ret, 1);
    if (s && sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &n) == 3 && (size_t) n == strlen(s) &&
        n == 10 && g_date_valid_dmy(d, m, y)) {
        g_date_set_dmy(ret, d, m, y);
        return TRUE;
    }
    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "'%s' is not a date (YYYY-MM-DD)", s ? s : "");
    return FALSE;
}

char *
vmc_date_to_string(const GDate *d)
{
    char buf[16];

    if (!g_date_valid(d))
        return NULL;
    g_date_strftime(buf, sizeof(buf), "%Y-%m-%d", d);
    return g_strdup(buf);
}

static const char *
vmc_os_db_str(VmcOsDb *db, const char *s)
{
    return s ? g_string_chunk_insert_const(db->strings, s) : NULL;
}

static const char *
vmc_os_status_name(int status)
{
    switch (status) {
    case OSINFO_RELEASE_STATUS_SNAPSHOT:
        return "snapshot";
    case OSINFO_RELEASE_STATUS_PRERELEASE:
        return "prerelease";
    case OSINFO_RELEASE_STATUS_ROLLING:
        return "rolling";
    default:
        return "released";
    }
}

/* A PCI id of a virtio device: which kind, and transitional or 1.0. */
static void
vmc_os_note_device(VmcOsInfo *info, VmcOsVirtio *vs, const char *id, gboolean driver)
{
    unsigned pid;

    if (g_str_equal(id, VMC_OSINFO_Q35)) {
        if (!driver)
            info->q35 = TRUE;
        return;
    }
    if (!g_str_has_prefix(id, VMC_OSINFO_PCI_VIRTIO) ||
        sscanf(id + strlen(VMC_OSINFO_PCI_VIRTIO), "%4x", &pid) != 1)
        return;
    for (int k = 0; k < VMC_OS_VIRTIO_KINDS; k++) {
        if (vmc__virtio_kinds[k].legacy_id && pid == vmc__virtio_kinds[k].legacy_id)
            *(driver ? &vs[k].driver_legacy : &vs[k].legacy) = TRUE;
        if (pid == vmc__virtio_kinds[k].modern_id)
            *(driver ? &vs[k].driver_modern : &vs[k].modern) = TRUE;
    }
}

static gboolean
vmc_os_db_date(const char *s, GDate *ret, const char *os, const char *field, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (!s) {
        g_date_clear(ret, 1);
        return TRUE;
    }
    if (vmc_date_parse(s, ret, &local))
        return TRUE;
    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "osinfo database: %s: field '%s': %s", os,
                field, local->message);
    return FALSE;
}

static gboolean
vmc_os_db_add(VmcOsDb *db, OsinfoOs *os, GError **error)
{
    OsinfoProduct *prod = OSINFO_PRODUCT(os);
    VmcOsInfo info = { 0 };
    VmcOsVirtio vs[VMC_OS_VIRTIO_KINDS] = { 0 };
    g_autoptr(OsinfoDeviceList) devs = NULL;
    OsinfoDeviceDriverList *drivers;     /* owned by @os */
    const char *id = osinfo_entity_get_id(OSINFO_ENTITY(os));

    info.id = vmc_os_db_str(db, id);
    info.short_id = vmc_os_db_str(db, osinfo_product_get_short_id(prod));
    info.name = vmc_os_db_str(db, osinfo_product_get_name(prod));
    info.vendor = vmc_os_db_str(db, osinfo_product_get_vendor(prod));
    info.family = vmc_os_db_str(db, osinfo_os_get_family(os));
    info.distro = vmc_os_db_str(db, osinfo_os_get_distro(os));
    info.version = vmc_os_db_str(db, osinfo_product_get_version(prod));
    info.status = vmc_os_status_name(osinfo_os_get_release_status(os));
    if (!vmc_os_db_date(osinfo_product_get_release_date_string(prod), &info.release, id,
                        "release-date", error) ||
        !vmc_os_db_date(osinfo_product_get_eol_date_string(prod), &info.eol, id, "eol-date", error))
        return FALSE;

    for (int k = 0; k < VMC_OS_VIRTIO_KINDS; k++)
        vs[k].kind = vmc__virtio_kinds[k].kind;
    devs = osinfo_os_get_all_devices(os, NULL);
    info.has_devices = osinfo_list_get_length(OSINFO_LIST(devs)) > 0;
    for (int i = 0; i < osinfo_list_get_length(OSINFO_LIST(devs)); i++) {
        OsinfoEntity *d = osinfo_list_get_nth(OSINFO_LIST(devs), i);
        vmc_os_note_device(&info, vs, osinfo_entity_get_id(d), FALSE);
    }
    drivers = osinfo_os_get_device_drivers(os);
    for (int i = 0; drivers && i < osinfo_list_get_length(OSINFO_LIST(drivers)); i++) {
        OsinfoDeviceDriver *drv = OSINFO_DEVICE_DRIVER(osinfo_list_get_nth(OSINFO_LIST(drivers), i));
        OsinfoDeviceList *ddevs = osinfo_device_driver_get_devices(drv);   /* owned by @drv */
        for (int j = 0; ddevs && j < osinfo_list_get_length(OSINFO_LIST(ddevs)); j++)
            vmc_os_note_device(&info, vs, osinfo_entity_get_id(osinfo_list_get_nth(OSINFO_LIST(ddevs), j)),
                               TRUE);
    }
    /* info.virtio is set once the arrays stop growing */
    info.n_virtio = VMC_OS_VIRTIO_KINDS;
    g_array_append_val(db->oses, info);
    g_array_append_vals(db->virtio, vs, VMC_OS_VIRTIO_KINDS);
    return TRUE;
}

static gint
vmc_os_info_cmp(gconstpointer a, gconstpointer b)
{
    const VmcOsInfo *x = a, *y = b;
    int c = g_strcmp0(x->short_id ? x->short_id : x->id, y->short_id ? y->short_id : y->id);
    return c ? c : g_strcmp0(x->id, y->id);
}

/* The osinfo-db release, from its VERSION file (libosinfo does not say). */
static char *
vmc_os_db_version(const char *dir)
{
    const char *sys = g_getenv("OSINFO_SYSTEM_DIR");
    g_autofree char *path = g_build_filename(dir ? dir : sys ? sys : "/usr/share/osinfo",
                                             "VERSION", NULL);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    return g_strstrip(g_strndup(text, 32));
}

/* Where libosinfo looks by default (osinfo_loader_process_default_path):
 * $OSINFO_DATA_DIR alone (the legacy override), else the system database
 * ($OSINFO_SYSTEM_DIR, /usr/share/osinfo), local overrides ($OSINFO_LOCAL_DIR,
 * /etc/osinfo) and the user's ($OSINFO_USER_DIR, ~/.config/osinfo). */
static GStrv
vmc_os_db_default_dirs(void)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    const char *legacy = g_getenv("OSINFO_DATA_DIR");
    const char *sys = g_getenv("OSINFO_SYSTEM_DIR");
    const char *local = g_getenv("OSINFO_LOCAL_DIR");
    const char *user = g_getenv("OSINFO_USER_DIR");
    g_autofree char *user_default = g_build_filename(g_get_user_config_dir(), "osinfo", NULL);

    if (legacy) {
        g_strv_builder_add(b, legacy);
        return g_strv_builder_end(b);
    }
    g_strv_builder_add(b, sys ? sys : "/usr/share/osinfo");
    g_strv_builder_add(b, local ? local : "/etc/osinfo");
    g_strv_builder_add(b, user ? user : user_default);
    return g_strv_builder_end(b);
}

VmcOsDb *
vmc_os_db_open(const char *dir, GError **error)
{
    g_autoptr(OsinfoLoader) loader = osinfo_loader_new();
    g_autoptr(GError) local = NULL;
    g_autoptr(VmcOsDb) db = g_new0(VmcOsDb, 1);
    g_autoptr(GArray) order = NULL;
    g_autofree char *version = NULL;
    OsinfoOsList *oses;
    const char *where = dir ? dir : "libosinfo's default locations ($OSINFO_SYSTEM_DIR or "
                                    "/usr/share/osinfo, /etc/osinfo, ~/.config/osinfo)";

    db->oses = g_array_new(FALSE, TRUE, sizeof(VmcOsInfo));
    db->virtio = g_array_new(FALSE, TRUE, sizeof(VmcOsVirtio));
    db->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    db->strings = g_string_chunk_new(64 * 1024);

    if (dir && !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "osinfo database %s: no such directory (install the osinfo-db package, or "
                    "pass a database directory)", dir);
        return NULL;
    }
    if (dir) {
        osinfo_loader_process_path(loader, dir, &local);
    } else {
        /* libosinfo's default locations, read one by one:
         * osinfo_loader_process_default_path leaks in libosinfo 1.10 */
        g_auto(GStrv) dirs = vmc_os_db_default_dirs();
        for (char **d = dirs; *d && !local; d++)
            if (g_file_test(*d, G_FILE_TEST_IS_DIR))
                osinfo_loader_process_path(loader, *d, &local);
    }
    if (local) {
        g_autofree char *msg = g_strstrip(g_strdup(local->message));
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "osinfo database %s is broken: %s",
                    dir ? dir : "", msg);
        return NULL;
    }
    oses = osinfo_db_get_os_list(osinfo_loader_get_db(loader));
    for (int i = 0; i < osinfo_list_get_length(OSINFO_LIST(oses)); i++)
        if (!vmc_os_db_add(db, OSINFO_OS(osinfo_list_get_nth(OSINFO_LIST(oses), i)), error)) {
            g_object_unref(oses);
            return NULL;
        }
    g_object_unref(oses);
    if (db->oses->len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "no operating systems in the osinfo database at %s: install the osinfo-db "
                    "package (apt-get install osinfo-db), or pass a database directory", where);
        return NULL;
    }
    /* sort, keeping each OS's virtio block with it */
    order = g_array_sized_new(FALSE, FALSE, sizeof(VmcOsInfo), db->oses->len);
    for (guint i = 0; i < db->oses->len; i++) {
        VmcOsInfo copy = g_array_index(db->oses, VmcOsInfo, i);
        copy.virtio = (const VmcOsVirtio *) GUINT_TO_POINTER(i);   /* old index, fixed below */
        g_array_append_val(order, copy);
    }
    g_array_sort(order, vmc_os_info_cmp);
    {
        g_autoptr(GArray) virtio = g_array_sized_new(FALSE, FALSE, sizeof(VmcOsVirtio),
                                                     db->virtio->len);
        for (guint i = 0; i < order->len; i++) {
            VmcOsInfo *o = &g_array_index(order, VmcOsInfo, i);
            guint old = GPOINTER_TO_UINT(o->virtio);
            g_array_append_vals(virtio, &g_array_index(db->virtio, VmcOsVirtio,
                                                       old * VMC_OS_VIRTIO_KINDS),
                                VMC_OS_VIRTIO_KINDS);
        }
        g_array_unref(db->virtio);
        db->virtio = g_steal_pointer(&virtio);
    }
    g_array_unref(db->oses);
    db->oses = g_steal_pointer(&order);
    for (guint i = 0; i < db->oses->len; i++) {
        VmcOsInfo *o = &g_array_index(db->oses, VmcOsInfo, i);
        o->virtio = &g_array_index(db->virtio, VmcOsVirtio, i * VMC_OS_VIRTIO_KINDS);
        g_hash_table_insert(db->by_name, (gpointer) o->id, GUINT_TO_POINTER(i + 1));
        if (o->short_id && !g_hash_table_contains(db->by_name, o->short_id))
            g_hash_table_insert(db->by_name, (gpointer) o->short_id, GUINT_TO_POINTER(i + 1));
    }
    version = vmc_os_db_version(dir);
    db->describe = g_strdup_printf("osinfo-db %s (%u operating systems) at %s",
                                   version ? version : "(version unknown)", db->oses->len,
                                   dir ? dir : g_getenv("OSINFO_SYSTEM_DIR") ?
                                   g_getenv("OSINFO_SYSTEM_DIR") : "/usr/share/osinfo");
    return g_steal_pointer(&db);
}

const char *vmc_os_db_describe(const VmcOsDb *db) { return db->describe; }
guint vmc_os_db_count(const VmcOsDb *db) { return db->oses->len; }

const VmcOsInfo *
vmc_os_db_get(const VmcOsDb *db, guint idx)
{
    g_return_val_if_fail(db && idx < db->oses->len, NULL);
    return &g_array_index(db->oses, VmcOsInfo, idx);
}

/* Edit distance, bounded: short ids are short. */
static guint
vmc_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    g_autofree guint *row = g_new(guint, lb + 1);

    if (la > 64 || lb > 64)
        return G_MAXUINT;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        guint diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            guint up = row[j];
            guint best = MIN(row[j] + 1, row[j - 1] + 1);
            row[j] = MIN(best, diag + (a[i - 1] != b[j - 1]));
            diag = up;
        }
    }
    return row[lb];
}

const VmcOsInfo *
vmc_os_db_lookup(const VmcOsDb *db, const char *os, GError **error)
{
    gpointer idx = os ? g_hash_table_lookup(db->by_name, os) : NULL;
    g_autoptr(GPtrArray) close = NULL;
    g_autofree char *list = NULL;

    if (idx)
        return &g_array_index(db->oses, VmcOsInfo, GPOINTER_TO_UINT(idx) - 1);
    close = g_ptr_array_new();
    for (guint d = 1; d <= 2 && close->len == 0; d++)
        for (guint i = 0; i < db->oses->len && close->len < 6; i++) {
            const VmcOsInfo *o = &g_array_index(db->oses, VmcOsInfo, i);
            if (o->short_id && os && vmc_edit_distance(os, o->short_id) == d)
                g_ptr_array_add(close, (gpointer) o->short_id);
        }
    g_ptr_array_add(close, NULL);
    list = g_strjoinv(", ", (char **) close->pdata);
    g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                "unknown operating system '%s' in %s%s%s (see 'vmcompat guestos list')",
                os ? os : "", db->describe, *list ? "; did you mean: " : "", list);
    return NULL;
}
