/* probe.c: vmc_host_probe() — what this machine can give a guest, measured
 * from the hardware, KVM, the kernel and the installed QEMU.
 *
 * Sources, each optional and each recorded or noted on its own:
 *   - the CPUID instruction (x86): raw leaves into host->cpuid, catalog
 *     features into hw_features, vendor and signature;
 *   - /dev/kvm: KVM_GET_API_VERSION, KVM_CHECK_EXTENSION for the named
 *     capabilities of data/host/kvm-capabilities.json ("kvm.cap.<name>"),
 *     KVM_GET_SUPPORTED_CPUID and the feature MSRs
 *     (KVM_GET_MSR_FEATURE_INDEX_LIST + KVM_GET_MSRS) into kvm_features,
 *     the paravirtual leaf 0x40000001 as "kvm.pv.<name>";
 *   - the kernel release, /dev/vhost-net, /dev/net/tun and the tap offloads
 *     the kernel accepts (a temporary, non-persistent tap device),
 *     /dev/vhost-vsock and whether it offers SOCK_SEQPACKET;
 *   - the installed QEMU (--version, -machine help), or with opts->qemu that
 *     QEMU started with -machine none -S and asked over QMP.
 * Invariants: nothing that is merely absent fails the probe (it becomes a
 * note or a "no"/"unknown: why" capability); every buffer is bounded;
 * descriptors are O_CLOEXEC; every child process is reaped.
 *
 * Workload: once per command. Target: ≤ 50 ms without opts->qemu. The
 * slow parts start first and overlap the CPUID/KVM ioctls (~3 ms): the
 * installed QEMU's two runs (~15 ms each, QEMU's own start-up) and the
 * tap probe on a thread (closing the temporary tap device waits for an
 * RCU grace period, ~20 ms). The thread only fills a NetProbe; the host
 * is touched by the calling thread alone.
 */
#include "host/host-private.h"
#include "catalog/catalog-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <gio/gio.h>
#include <vmcompat/error.h>

#if defined(__x86_64__) || defined(__i386__)
#define VMC_PROBE_X86 1
#include <cpuid.h>
#endif

#ifdef __linux__
#include <linux/kvm.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <net/if.h>
#endif

#define KVM_CAPS_RESOURCE "/org/vmcompat/data/host/kvm-capabilities.json"
#define QEMU_RUN_TIMEOUT_MS 10000u
#define MAX_NAMED_ENTRIES 1024u       /* kvm-capabilities.json, machines */
#define MAX_SUBLEAVES 64u
#define MAX_BASIC_LEAF 0xffu
#define MAX_EXT_LEAVES 0xffu
#define MAX_KVM_CPUID_ENTRIES 4096u
#define MAX_KVM_FEATURE_MSRS 4096u

/* ---- Data: the named KVM capabilities ------------------------------- */

typedef struct {
    char *name;
    guint cap;
    gboolean number;       /* value is a count/size/mask, not a yes/no */
} KvmCapability;

typedef struct {
    char *name;
    guint reg;             /* VMC_REG_EAX .. VMC_REG_EDX */
    guint bit;
} KvmParavirt;

typedef struct {
    GArray *caps;          /* KvmCapability */
    GArray *pv;            /* KvmParavirt */
} KvmNames;

static void
kvm_names_free(KvmNames *n)
{
    if (!n)
        return;
    for (guint i = 0; n->caps && i < n->caps->len; i++)
        g_free(g_array_index(n->caps, KvmCapability, i).name);
    for (guint i = 0; n->pv && i < n->pv->len; i++)
        g_free(g_array_index(n->pv, KvmParavirt, i).name);
    if (n->caps)
        g_array_unref(n->caps);
    if (n->pv)
        g_array_unref(n->pv);
    g_free(n);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmNames, kvm_names_free)

/* A field of @o, or NULL. */
static json_object *
jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A name for a capability: [a-z0-9-], 1..64 characters. */
static gboolean
kvm_name_valid(const char *s)
{
    gsize n = s ? strlen(s) : 0;

    if (n == 0 || n > 64)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_islower(s[i]) && !g_ascii_isdigit(s[i]) && s[i] != '-')
            return FALSE;
    return TRUE;
}

/* An integer field in [0, max]; FALSE when absent or out of range. */
static gboolean
jget_uint(json_object *o, const char *key, guint max, guint *ret)
{
    json_object *v = jget(o, key);
    gint64 x;

    if (!v || !json_object_is_type(v, json_type_int))
        return FALSE;
    x = json_object_get_int64(v);
    if (x < 0 || x > (gint64) max)
        return FALSE;
    *ret = (guint) x;
    return TRUE;
}

/* Parse kvm-capabilities.json ("capabilities" and "paravirt" arrays). */
static KvmNames *
kvm_names_parse(const char *text, gsize len, const char *file, GError **error)
{
    g_autoptr(KvmNames) n = g_new0(KvmNames, 1);
    g_autoptr(json_object) root = NULL;
    json_tokener *tok = json_tokener_new();
    json_object *caps, *pv;

    root = json_tokener_parse_ex(tok, text, (int) MIN(len, (gsize) G_MAXINT));
    json_tokener_free(tok);
    caps = jget(root, "capabilities");
    pv = jget(root, "paravirt");
    if (!caps || !json_object_is_type(caps, json_type_array) ||
        !pv || !json_object_is_type(pv, json_type_array) ||
        json_object_array_length(caps) > MAX_NAMED_ENTRIES ||
        json_object_array_length(pv) > MAX_NAMED_ENTRIES) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: expected arrays 'capabilities' and 'paravirt' (≤ %u entries)",
                    file, MAX_NAMED_ENTRIES);
        return NULL;
    }
    n->caps = g_array_new(FALSE, TRUE, sizeof(KvmCapability));
    n->pv = g_array_new(FALSE, TRUE, sizeof(KvmParavirt));
    for (gsize i = 0; i < json_object_array_length(caps); i++) {
        json_object *e = json_object_array_get_idx(caps, i);
        const char *name = json_object_get_string(jget(e, "name"));
        const char *kind = json_object_get_string(jget(e, "kind"));
        KvmCapability c = { 0 };

        if (!kvm_name_valid(name) || !jget_uint(e, "cap", 65535, &c.cap) ||
            (g_strcmp0(kind, "bool") != 0 && g_strcmp0(kind, "number") != 0)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'capabilities[%zu]': needs name, cap, kind",
                        file, i);
            return NULL;
        }
        c.name = g_strdup(name);
        c.number = g_str_equal(kind, "number");
        g_array_append_val(n->caps, c);
    }
    for (gsize i = 0; i < json_object_array_length(pv); i++) {
        json_object *e = json_object_array_get_idx(pv, i);
        const char *name = json_object_get_string(jget(e, "name"));
        const char *reg = json_object_get_string(jget(e, "register"));
        static const char *const regs[] = { "eax", "ebx", "ecx", "edx" };
        KvmParavirt p = { 0 };
        int r = -1;

        for (guint k = 0; reg && k < G_N_ELEMENTS(regs); k++)
            if (g_str_equal(reg, regs[k]))
                r = (int) k;
        if (!kvm_name_valid(name) || r < 0 || !jget_uint(e, "bit", 31, &p.bit)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'paravirt[%zu]': needs name, register, bit",
                        file, i);
            return NULL;
        }
        p.name = g_strdup(name);
        p.reg = (guint) r;
        g_array_append_val(n->pv, p);
    }
    return g_steal_pointer(&n);
}

/* The built-in list (GResource). */
static KvmNames *
kvm_names_load(GError **error)
{
    g_autoptr(GBytes) b = g_resources_lookup_data(KVM_CAPS_RESOURCE, 0, NULL);
    gsize len = 0;
    const char *text;

    if (!b) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "built-in data '%s' is missing", KVM_CAPS_RESOURCE);
        return NULL;
    }
    text = g_bytes_get_data(b, &len);
    return kvm_names_parse(text, len, KVM_CAPS_RESOURCE, error);
}

/* ---- Small helpers ---------------------------------------------------- */

/* @path under the probe's sysroot (transfer full). */
static char *
probe_path(const VmcHostProbeOptions *opts, const char *path)
{
    if (opts && opts->sysroot && *opts->sysroot)
        return g_build_filename(opts->sysroot, path, NULL);
    return g_strdup(path);
}

/* The probe's notion of the host arch, fixed at build time. */
static VmcArch
probe_arch(void)
{
#if defined(__x86_64__)
    return VMC_ARCH_X86_64;
#elif defined(__s390x__)
    return VMC_ARCH_S390X;
#else
    return VMC_ARCH_N;
#endif
}

/* ---- Kernel ----------------------------------------------------------- */

/* Kernel release: uname, or <sysroot>/proc/sys/kernel/osrelease. */
static void
probe_kernel(VmcHost *host, const VmcHostProbeOptions *opts)
{
    struct utsname u;

    if (opts && opts->sysroot && *opts->sysroot) {
        g_autofree char *path = probe_path(opts, "/proc/sys/kernel/osrelease");
        g_autofree char *text = NULL;
        gsize len = 0;

        if (g_file_get_contents(path, &text, &len, NULL) && len > 0 &&
            len < 256) {
            g_free(host->kernel);
            host->kernel = g_strstrip(g_steal_pointer(&text));
            return;
        }
    }
    if (uname(&u) == 0) {
        g_free(host->kernel);
        host->kernel = g_strndup(u.release, sizeof(u.release));
    } else {
        vmc__host_note(host, "kernel release unknown: uname failed: %s",
                       g_strerror(errno));
    }
}

/* ---- CPUID instruction -------------------------------------------------- */

#ifdef VMC_PROBE_X86
/* Execute CPUID (@leaf, @sub) and add the answer to @d; returns it. */
static VmcCpuidLeaf
cpuid_add(VmcCpuidData *d, guint32 leaf, guint32 sub)
{
    unsigned int a = 0, b = 0, c = 0, x = 0;
    VmcCpuidLeaf l;

    __cpuid_count(leaf, sub, a, b, c, x);
    l = (VmcCpuidLeaf) { .eax_in = leaf, .ecx_in = sub,
                         .eax = a, .ebx = b, .ecx = c, .edx = x };
    vmc_cpuid_data_add_leaf(d, &l);
    return l;
}

/* Sub-leaves 1..: while (@reg_of(answer) & @mask) != 0 (leaf 4 / 0xb /
 * 0x1f style enumerations, which end at the first empty one). */
static void
cpuid_add_until_empty(VmcCpuidData *d, guint32 leaf, VmcCpuidLeaf first,
                      guint reg, guint32 mask)
{
    VmcCpuidLeaf l = first;

    for (guint32 sub = 1; sub < MAX_SUBLEAVES; sub++) {
        guint32 regs[VMC_REG_N] = { l.eax, l.ebx, l.ecx, l.edx };
        unsigned int a = 0, b = 0, c = 0, x = 0;

        if (!(regs[reg] & mask))
            return;
        __cpuid_count(leaf, sub, a, b, c, x);
        l = (VmcCpuidLeaf) { .eax_in = leaf, .ecx_in = sub,
                             .eax = a, .ebx = b, .ecx = c, .edx = x };
        regs[VMC_REG_EAX] = a;
        regs[VMC_REG_EBX] = b;
        regs[VMC_REG_ECX] = c;
        regs[VMC_REG_EDX] = x;
        if (!(regs[reg] & mask))
            return;
        vmc_cpuid_data_add_leaf(d, &l);
    }
}

/* Sub-leaves @i for each bit i (1..31) set in @bits. */
static void
cpuid_add_bits(VmcCpuidData *d, guint32 leaf, guint32 bits)
{
    for (guint32 sub = 1; sub < 32; sub++)
        if (bits & (1u << sub))
            cpuid_add(d, leaf, sub);
}

/* One leaf with the sub-leaves that carry information. */
static void
cpuid_add_leaf(VmcCpuidData *d, guint32 leaf)
{
    VmcCpuidLeaf l0 = cpuid_add(d, leaf, 0);

    switch (leaf) {
    case 0x4:             /* deterministic cache parameters: type != 0 */
    case 0x8000001d:
        if (l0.eax & 0x1f)
            cpuid_add_until_empty(d, leaf, l0, VMC_REG_EAX, 0x1f);
        break;
    case 0xb:             /* topology: level type (ECX[15:8]) != 0 */
    case 0x1f:
    case 0x80000026:
        cpuid_add_until_empty(d, leaf, l0, VMC_REG_ECX, 0xff00);
        break;
    case 0x7:             /* EAX of sub-leaf 0 = the last sub-leaf */
    case 0x14:
    case 0x17:
    case 0x18:
    case 0x1d:
    case 0x1e:
    case 0x24:
        for (guint32 sub = 1; sub <= MIN(l0.eax, MAX_SUBLEAVES - 1); sub++)
            cpuid_add(d, leaf, sub);
        break;
    case 0xd:             /* XSAVE: 1, then each state component 2..63 */
        cpuid_add(d, leaf, 1);
        for (guint32 sub = 2; sub < MAX_SUBLEAVES; sub++) {
            unsigned int a = 0, b = 0, c = 0, x = 0;
            __cpuid_count(leaf, sub, a, b, c, x);
            if (a | b | c | x)
                cpuid_add(d, leaf, sub);
        }
        break;
    case 0xf:             /* RDT monitoring: resources in EDX of 0 */
        cpuid_add_bits(d, leaf, l0.edx);
        break;
    case 0x10:            /* RDT allocation: resources in EBX of 0 */
    case 0x80000020:
        cpuid_add_bits(d, leaf, l0.ebx);
        break;
    case 0x12: {          /* SGX: 1, then EPC sections while type != 0 */
        cpuid_add(d, leaf, 1);
        for (guint32 sub = 2; sub < MAX_SUBLEAVES; sub++) {
            unsigned int a = 0, b = 0, c = 0, x = 0;
            __cpuid_count(leaf, sub, a, b, c, x);
            if (!(a & 0xf))
                break;
            cpuid_add(d, leaf, sub);
        }
        break;
    }
    default:
        break;
    }
}

/* The CPUID instruction: basic, extended and (Centaur) 0xc0000000 leaves. */
static VmcCpuidData *
probe_cpuid_instruction(void)
{
    g_autoptr(VmcCpuidData) d = vmc_cpuid_data_new();
    VmcCpuidLeaf l0 = cpuid_add(d, 0, 0);
    guint32 max = MIN(l0.eax, MAX_BASIC_LEAF);
    gboolean sgx = FALSE;
    char vendor[13];
    guint32 ext_max;

    for (guint32 leaf = 1; leaf <= max; leaf++) {
        if (leaf == 0x12 && !sgx)
            continue;                 /* garbage without SGX (libvirt) */
        cpuid_add_leaf(d, leaf);
        if (leaf == 7) {
            const VmcCpuidLeaf *l7 = vmc_cpuid_data_find(d, 7, 0);
            sgx = l7 && (l7->ebx & (1u << 2));
        }
    }
    {
        unsigned int a = 0, b = 0, c = 0, x = 0;
        __cpuid_count(0x80000000, 0, a, b, c, x);
        ext_max = a;
    }
    if (ext_max >= 0x80000000 && ext_max <= 0x80000000 + MAX_EXT_LEAVES)
        for (guint32 leaf = 0x80000000; leaf <= ext_max; leaf++)
            cpuid_add_leaf(d, leaf);

    memcpy(vendor, &l0.ebx, 4);
    memcpy(vendor + 4, &l0.edx, 4);
    memcpy(vendor + 8, &l0.ecx, 4);
    vendor[12] = '\0';
    if (g_str_equal(vendor, "CentaurHauls") ||
        g_str_equal(vendor, "  Shanghai  ")) {
        unsigned int a = 0, b = 0, c = 0, x = 0;
        __cpuid_count(0xc0000000, 0, a, b, c, x);
        if (a >= 0xc0000000 && a <= 0xc0000000 + MAX_EXT_LEAVES)
            for (guint32 leaf = 0xc0000000; leaf <= a; leaf++)
                cpuid_add_leaf(d, leaf);
    }
    return g_steal_pointer(&d);
}
#endif /* VMC_PROBE_X86 */

/* CPUID: raw data, hardware features, vendor and signature. */
static void
probe_cpu(VmcHost *host)
{
#ifdef VMC_PROBE_X86
    g_autofree char *vendor_string = NULL;
    guint32 sig = 0;

    if (host->arch != VMC_ARCH_X86_64)
        return;
    vmc_cpuid_data_free(host->cpuid);
    host->cpuid = probe_cpuid_instruction();
    vmc_cpuid_data_features(host->cpuid, host->cat, &host->hw_features);
    vendor_string = vmc_cpuid_data_vendor(host->cpuid);
    g_free(host->vendor);
    host->vendor = g_strdup(vmc_catalog_vendor_name(host->cat, host->arch,
                                                    vendor_string));
    if (!host->vendor)
        vmc__host_note(host, "CPU vendor '%s' is not in the catalog",
                       vendor_string);
    host->has_signature = vmc_cpuid_data_signature(host->cpuid, &sig,
                                                   &host->family,
                                                   &host->model,
                                                   &host->stepping);
#else
    vmc__host_note(host,
                   "CPU features: no CPUID on this arch; --qemu records QEMU's host model");
#endif
}

/* ---- /dev/kvm ----------------------------------------------------------- */

#ifdef __linux__
/* ioctl, restarted on EINTR; -1 with errno on failure. */
static int
xioctl(int fd, unsigned long req, void *arg)
{
    int r;

    do {
        r = ioctl(fd, req, arg);
    } while (r < 0 && errno == EINTR);
    return r;
}

/* KVM_CHECK_EXTENSION for every named capability: "kvm.cap.<name>". */
static void
probe_kvm_caps(VmcHost *host, int kvm, const KvmNames *names)
{
    for (guint i = 0; i < names->caps->len; i++) {
        const KvmCapability *c = &g_array_index(names->caps, KvmCapability, i);
        g_autofree char *key = g_strconcat("kvm.cap.", c->name, NULL);
        g_autofree char *value = NULL;
        int r;

        do {
            r = ioctl(kvm, KVM_CHECK_EXTENSION, (unsigned long) c->cap);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            value = g_strdup_printf("unknown: %s", g_strerror(errno));
        else if (r == 0)
            value = g_strdup("no");
        else if (!c->number)
            value = g_strdup("yes");
        else
            value = g_strdup_printf("%d", r);
        vmc__host_set_capability(host, key, value);
    }
}

#if defined(__x86_64__)
/* KVM_GET_SUPPORTED_CPUID, growing the buffer on E2BIG (transfer full). */
static VmcCpuidData *
probe_kvm_cpuid(VmcHost *host, int kvm)
{
    for (guint n = 128; n <= MAX_KVM_CPUID_ENTRIES; n *= 2) {
        g_autofree struct kvm_cpuid2 *c =
            g_malloc0_n(1, sizeof(*c) + n * sizeof(c->entries[0]));
        g_autoptr(VmcCpuidData) d = NULL;

        c->nent = n;
        if (xioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
            if (errno == E2BIG)
                continue;
            vmc__host_note(host, "KVM_GET_SUPPORTED_CPUID failed: %s",
                           g_strerror(errno));
            return NULL;
        }
        d = vmc_cpuid_data_new();
        for (guint i = 0; i < MIN(c->nent, n); i++) {
            const struct kvm_cpuid_entry2 *e = &c->entries[i];
            VmcCpuidLeaf l = { .eax_in = e->function, .ecx_in = e->index,
                               .eax = e->eax, .ebx = e->ebx,
                               .ecx = e->ecx, .edx = e->edx };
            vmc_cpuid_data_add_leaf(d, &l);
        }
        return g_steal_pointer(&d);
    }
    vmc__host_note(host,
                   "KVM_GET_SUPPORTED_CPUID: more than %u entries; KVM CPU features not read",
                   MAX_KVM_CPUID_ENTRIES);
    return NULL;
}

/* MSR indices of QEMU's VMX control feature words (target/i386/cpu.h):
 * the feature word holds the controls that can be 1 but need not be. */
#define MSR_IA32_VMX_PROCBASED_CTLS2     0x48b
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x490

/* A feature MSR value as QEMU's feature word reads it (kvm.c,
 * kvm_arch_get_supported_msr_feature): VMX controls become
 * "allowed-1 and not required-1" in the low half; others are raw. */
static VmcMsr
msr_feature_word(guint32 index, guint64 value)
{
    switch (index) {
    case MSR_IA32_VMX_PROCBASED_CTLS2:
    case MSR_IA32_VMX_TRUE_PINBASED_CTLS:
    case MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
    case MSR_IA32_VMX_TRUE_EXIT_CTLS:
    case MSR_IA32_VMX_TRUE_ENTRY_CTLS: {
        guint32 must_be_one = (guint32) value;
        guint32 can_be_one = (guint32) (value >> 32);
        return (VmcMsr) { .index = index, .eax = can_be_one & ~must_be_one,
                          .edx = 0 };
    }
    default:
        return (VmcMsr) { .index = index, .eax = (guint32) value,
                          .edx = (guint32) (value >> 32) };
    }
}

/* Feature MSRs KVM emulates, for the catalog's MSR features, into @d. */
static void
probe_kvm_msrs(VmcHost *host, int kvm, VmcCpuidData *d)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(host->cat, host->arch);
    struct kvm_msr_list probe = { .nmsrs = 0 };
    g_autofree struct kvm_msr_list *list = NULL;
    g_autoptr(GHashTable) wanted = g_hash_table_new(NULL, NULL);
    guint n;

    for (guint i = 0; i < ac->features->len; i++) {
        const VmcFeature *f = g_ptr_array_index(ac->features, i);
        if (f->loc == VMC_FEATURE_LOC_MSR)
            g_hash_table_add(wanted, GUINT_TO_POINTER(f->msr_index));
    }
    if (g_hash_table_size(wanted) == 0)
        return;
    if (xioctl(kvm, KVM_GET_MSR_FEATURE_INDEX_LIST, &probe) < 0 &&
        errno != E2BIG) {
        vmc__host_note(host,
                       "KVM_GET_MSR_FEATURE_INDEX_LIST failed: %s: feature MSRs not read",
                       g_strerror(errno));
        return;
    }
    n = MIN(probe.nmsrs, MAX_KVM_FEATURE_MSRS);
    list = g_malloc0_n(1, sizeof(*list) + n * sizeof(list->indices[0]));
    list->nmsrs = n;
    if (n > 0 && xioctl(kvm, KVM_GET_MSR_FEATURE_INDEX_LIST, list) < 0) {
        vmc__host_note(host, "KVM_GET_MSR_FEATURE_INDEX_LIST failed: %s",
                       g_strerror(errno));
        return;
    }
    for (guint i = 0; i < MIN(list->nmsrs, n); i++) {
        struct {
            struct kvm_msrs info;
            struct kvm_msr_entry entry;
        } m = { .info.nmsrs = 1 };
        VmcMsr msr;

        if (!g_hash_table_contains(wanted, GUINT_TO_POINTER(list->indices[i])))
            continue;
        m.entry.index = list->indices[i];
        if (xioctl(kvm, KVM_GET_MSRS, &m) != 1) {
            vmc__host_note(host, "KVM_GET_MSRS(0x%x) failed: %s",
                           list->indices[i], g_strerror(errno));
            continue;
        }
        msr = msr_feature_word(m.entry.index, m.entry.data);
        vmc_cpuid_data_add_msr(d, &msr);
    }
}

/* The paravirtual leaf as "kvm.pv.<name>" = yes/no. */
static void
probe_kvm_paravirt(VmcHost *host, const VmcCpuidData *d, const KvmNames *names)
{
    const VmcCpuidLeaf *l = vmc_cpuid_data_find(d, 0x40000001, 0);

    for (guint i = 0; i < names->pv->len; i++) {
        const KvmParavirt *p = &g_array_index(names->pv, KvmParavirt, i);
        g_autofree char *key = g_strconcat("kvm.pv.", p->name, NULL);
        guint32 regs[VMC_REG_N] = { 0 };

        if (l) {
            regs[VMC_REG_EAX] = l->eax;
            regs[VMC_REG_EBX] = l->ebx;
            regs[VMC_REG_ECX] = l->ecx;
            regs[VMC_REG_EDX] = l->edx;
        }
        vmc__host_set_capability(host, key,
                                 regs[p->reg] & (1u << p->bit) ? "yes" : "no");
    }
}
#endif /* __x86_64__ */

/* /dev/kvm: API version, capabilities, CPUID and feature MSRs. */
static void
probe_kvm(VmcHost *host, const VmcHostProbeOptions *opts,
          const KvmNames *names)
{
    g_autofree char *path = probe_path(opts, "/dev/kvm");
    int kvm = open(path, O_RDWR | O_CLOEXEC);
    int api;

    host->has_kvm = FALSE;
    if (kvm < 0) {
        if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
            vmc__host_note(host, "no %s: KVM absent", path);
        else if (errno == EACCES || errno == EPERM)
            vmc__host_note(host,
                           "%s: permission denied: KVM not usable by this user",
                           path);
        else
            vmc__host_note(host, "%s: cannot open: %s: KVM not usable",
                           path, g_strerror(errno));
        return;
    }
    api = xioctl(kvm, KVM_GET_API_VERSION, NULL);
    if (api < 0) {
        vmc__host_note(host, "%s: KVM_GET_API_VERSION failed: %s: KVM not usable",
                       path, g_strerror(errno));
        close(kvm);
        return;
    }
    host->kvm_api_version = api;
    if (api != KVM_API_VERSION) {
        vmc__host_note(host, "%s: KVM API version %d, expected %d: KVM not used",
                       path, api, KVM_API_VERSION);
        close(kvm);
        return;
    }
    host->has_kvm = TRUE;
    probe_kvm_caps(host, kvm, names);
#if defined(__x86_64__)
    if (host->arch == VMC_ARCH_X86_64) {
        g_autoptr(VmcCpuidData) d = probe_kvm_cpuid(host, kvm);
        if (d) {
            probe_kvm_msrs(host, kvm, d);
            probe_kvm_paravirt(host, d, names);
            vmc_cpuid_data_features(d, host->cat, &host->kvm_features);
        }
    }
#else
    vmc__host_note(host,
                   "KVM CPU features: not read on this arch; --qemu records QEMU's");
#endif
    close(kvm);
}

/* ---- Network backends -------------------------------------------------- */

/* Offload flags from linux/if_tun.h; the newer ones are defined here so a
 * build with older headers still asks a newer kernel (values from
 * include/uapi/linux/if_tun.h: USO since Linux 6.2, UDP tunnel GSO 6.17). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
#ifndef TUN_F_UDP_TUNNEL_GSO
#define TUN_F_UDP_TUNNEL_GSO 0x080
#endif
/* include/uapi/linux/virtio_vsock.h; vhost-vsock offers it since Linux 5.14
 * (ced7b713711f "vhost/vsock: support SEQPACKET for transport"). */
#ifndef VIRTIO_VSOCK_F_SEQPACKET
#define VIRTIO_VSOCK_F_SEQPACKET 1
#endif

/* The network probe's results. It runs on its own thread (closing the
 * temporary tap device waits for an RCU grace period, ~20 ms) and never
 * touches the host: the caller applies the results after joining. */
typedef struct {
    char *vhost_path, *tun_path, *vsock_path;
    GPtrArray *caps;           /* name, value, name, value, ... */
    GPtrArray *notes;
} NetProbe;

static void
net_set(NetProbe *np, const char *name, const char *value)
{
    g_ptr_array_add(np->caps, g_strdup(name));
    g_ptr_array_add(np->caps, g_strdup(value));
}

/* "yes" (and *@ret_fd) for a character device opened read-write, "no"
 * when absent, or NULL and *@ret_why = "<path>: <reason>". */
static const char *
probe_open_device(const char *path, int *ret_fd, char **ret_why)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    struct stat st;

    *ret_fd = -1;
    if (fd < 0) {
        if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
            return "no";
        *ret_why = g_strdup_printf("%s: %s", path, g_strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
        close(fd);
        *ret_why = g_strdup_printf("%s: not a character device", path);
        return NULL;
    }
    *ret_fd = fd;
    return "yes";
}

/* The tap offloads the kernel accepts, asked as QEMU does
 * (net/tap-linux.c tap_probe_has_ufo/_uso/_tunnel): a temporary tap
 * device (TUNSETIFF without TUNSETPERSIST: gone when @fd is closed), then
 * TUNSETOFFLOAD with each set of flags. */
static const struct {
    const char *name;
    unsigned int flags;
} tap_offloads[] = {
    { "tap.tso", TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 },
    { "tap.ufo", TUN_F_CSUM | TUN_F_UFO },
    { "tap.uso", TUN_F_CSUM | TUN_F_USO4 | TUN_F_USO6 },
    /* GSO over UDP tunnels needs a plain offload too; the outer checksum
     * variant comes with it (QEMU tap_probe_has_tunnel) */
    { "tap.tunnel-udp", TUN_F_CSUM | TUN_F_TSO4 | TUN_F_UDP_TUNNEL_GSO },
};

/* Every tap capability set to @value (no tun device, or no access). */
static void
net_set_all_tap(NetProbe *np, const char *value)
{
    net_set(np, "tap.vnet-hdr", value);
    net_set(np, "tap.multiqueue", value);
    for (guint i = 0; i < G_N_ELEMENTS(tap_offloads); i++)
        net_set(np, tap_offloads[i].name, value);
}

static void
probe_tap_offloads(NetProbe *np, int fd)
{
    struct ifreq ifr;
    unsigned int features = 0;
    g_autofree char *why = NULL;

    if (xioctl(fd, TUNGETFEATURES, &features) < 0)
        features = 0;
    net_set(np, "tap.vnet-hdr", features & IFF_VNET_HDR ? "yes" : "no");
    net_set(np, "tap.multiqueue", features & IFF_MULTI_QUEUE ? "yes" : "no");

    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI |
                    (features & IFF_VNET_HDR ? IFF_VNET_HDR : 0);
    g_strlcpy(ifr.ifr_name, "vmcprobe%d", sizeof(ifr.ifr_name));
    if (xioctl(fd, TUNSETIFF, &ifr) < 0) {
        if (errno == EPERM || errno == EACCES)
            why = g_strdup("unknown: needs CAP_NET_ADMIN");
        else
            why = g_strdup_printf("unknown: TUNSETIFF failed: %s",
                                  g_strerror(errno));
    }
    for (guint i = 0; i < G_N_ELEMENTS(tap_offloads); i++) {
        if (why) {
            net_set(np, tap_offloads[i].name, why);
            continue;
        }
        net_set(np, tap_offloads[i].name,
                ioctl(fd, TUNSETOFFLOAD,
                      (unsigned long) tap_offloads[i].flags) == 0 ? "yes" : "no");
    }
}

/* vhost-vsock, and whether it offers SOCK_SEQPACKET: VHOST_GET_FEATURES,
 * as QEMU's vhost-vsock-common checks its "seqpacket" property. */
static void
probe_vhost_vsock(NetProbe *np)
{
    g_autofree char *why = NULL;
    g_autofree char *unknown = NULL;
    guint64 features = 0;
    const char *value;
    int fd = -1;

    value = probe_open_device(np->vsock_path, &fd, &why);
    if (!value)
        unknown = g_strconcat("unknown: ", why, NULL);
    net_set(np, "vhost-vsock", value ? value : unknown);
    if (fd < 0) {
        net_set(np, "vhost-vsock.seqpacket", value ? value : unknown);
        return;
    }
    if (xioctl(fd, VHOST_GET_FEATURES, &features) < 0)
        net_set(np, "vhost-vsock.seqpacket", "unknown: VHOST_GET_FEATURES failed");
    else
        net_set(np, "vhost-vsock.seqpacket",
                features & (G_GUINT64_CONSTANT(1) << VIRTIO_VSOCK_F_SEQPACKET) ? "yes" : "no");
    close(fd);
}

/* vhost-net, vhost-vsock, tun and the tap offloads (thread function). */
static gpointer
probe_net_run(gpointer data)
{
    NetProbe *np = data;
    g_autofree char *why = NULL;
    g_autofree char *unknown = NULL;
    const char *value;
    int fd = -1;

    value = probe_open_device(np->vhost_path, &fd, &why);
    if (!value)
        unknown = g_strconcat("unknown: ", why, NULL);
    net_set(np, "vhost-net", value ? value : unknown);
    if (fd >= 0)
        close(fd);
    g_clear_pointer(&why, g_free);
    g_clear_pointer(&unknown, g_free);
    probe_vhost_vsock(np);

    value = probe_open_device(np->tun_path, &fd, &why);
    if (!value)
        unknown = g_strconcat("unknown: ", why, NULL);
    net_set(np, "tun", value ? value : unknown);
    if (fd < 0) {
        net_set_all_tap(np, value ? value : unknown);
        if (!value)
            g_ptr_array_add(np->notes,
                            g_strdup_printf("tap offloads not probed: %s", why));
        return np;
    }
    probe_tap_offloads(np, fd);
    close(fd);
    return np;
}

static void
net_probe_free(NetProbe *np)
{
    if (!np)
        return;
    g_free(np->vhost_path);
    g_free(np->tun_path);
    g_free(np->vsock_path);
    g_ptr_array_unref(np->caps);
    g_ptr_array_unref(np->notes);
    g_free(np);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetProbe, net_probe_free)

/* Start the network probe on a thread (inline when none can start). */
static NetProbe *
probe_net_start(const VmcHostProbeOptions *opts, GThread **ret_thread)
{
    NetProbe *np = g_new0(NetProbe, 1);

    np->vhost_path = probe_path(opts, "/dev/vhost-net");
    np->tun_path = probe_path(opts, "/dev/net/tun");
    np->vsock_path = probe_path(opts, "/dev/vhost-vsock");
    np->caps = g_ptr_array_new_with_free_func(g_free);
    np->notes = g_ptr_array_new_with_free_func(g_free);
    *ret_thread = g_thread_try_new("vmc-probe-net", probe_net_run, np, NULL);
    if (!*ret_thread)
        probe_net_run(np);
    return np;
}

/* Join the network probe and record its results. */
static void
probe_net_finish(VmcHost *host, NetProbe *np, GThread *thread)
{
    if (thread)
        g_thread_join(thread);
    for (guint i = 0; i + 1 < np->caps->len; i += 2)
        vmc__host_set_capability(host, g_ptr_array_index(np->caps, i),
                                 g_ptr_array_index(np->caps, i + 1));
    for (guint i = 0; i < np->notes->len; i++)
        vmc__host_note(host, "%s", (const char *) g_ptr_array_index(np->notes, i));
}
#else /* !__linux__ */
static void
probe_kvm(VmcHost *host, const VmcHostProbeOptions *opts,
          const KvmNames *names)
{
    (void) opts;
    (void) names;
    host->has_kvm = FALSE;
    vmc__host_note(host, "not Linux: KVM absent");
}

typedef struct {
    int unused;
} NetProbe;

static void
net_probe_free(NetProbe *np)
{
    g_free(np);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetProbe, net_probe_free)

static NetProbe *
probe_net_start(const VmcHostProbeOptions *opts, GThread **ret_thread)
{
    (void) opts;
    *ret_thread = NULL;
    return g_new0(NetProbe, 1);
}

static void
probe_net_finish(VmcHost *host, NetProbe *np, GThread *thread)
{
    (void) np;
    (void) thread;
    vmc__host_note(host, "not Linux: vhost-net, vhost-vsock and tap not probed");
}
#endif /* __linux__ */

/* ---- QEMU ------------------------------------------------------------- */

/* The QEMU system emulator for @arch. */
static const char *
qemu_program(VmcArch arch)
{
    return arch == VMC_ARCH_S390X ? "qemu-system-s390x" : "qemu-system-x86_64";
}

/* "QEMU emulator version 7.2.22 (Debian ...)" → "7.2.22" (or NULL). */
static char *
qemu_parse_version(const char *text)
{
    const char *p = text ? strstr(text, "version ") : NULL;
    gsize n = 0;

    if (!p)
        return NULL;
    p += strlen("version ");
    while (n < 32 && (g_ascii_isdigit(p[n]) || p[n] == '.'))
        n++;
    return n > 0 && g_ascii_isdigit(p[0]) ? g_strndup(p, n) : NULL;
}

/* A machine type name: [A-Za-z0-9._-], 1..64 characters. */
static gboolean
machine_name_valid(const char *s, gsize n)
{
    if (n == 0 || n > 64)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return FALSE;
    return TRUE;
}

/* Add @name once (bounded). */
static void
machines_add(GPtrArray *machines, GHashTable *seen, const char *name, gsize n)
{
    g_autofree char *s = NULL;

    if (!machine_name_valid(name, n) || machines->len >= MAX_NAMED_ENTRIES)
        return;
    s = g_strndup(name, n);
    if (g_hash_table_contains(seen, s))
        return;
    g_hash_table_add(seen, g_strdup(s));
    g_ptr_array_add(machines, g_steal_pointer(&s));
}

/* Natural order: digit runs compare as numbers ("pc-q35-2.9" before
 * "pc-q35-2.10"), everything else bytewise. */
static gint
strptr_cmp(gconstpointer pa, gconstpointer pb)
{
    const char *a = *(char *const *) pa, *b = *(char *const *) pb;

    while (*a && *b) {
        if (g_ascii_isdigit(*a) && g_ascii_isdigit(*b)) {
            const char *ea = a, *eb = b;
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            for (ea = a; g_ascii_isdigit(*ea); ea++)
                ;
            for (eb = b; g_ascii_isdigit(*eb); eb++)
                ;
            if (ea - a != eb - b)
                return ea - a < eb - b ? -1 : 1;
            for (; a < ea; a++, b++)
                if (*a != *b)
                    return *a < *b ? -1 : 1;
            continue;
        }
        if (*a != *b)
            return (guchar) *a < (guchar) *b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

/* `-machine help` → machine type names, aliases resolved to their target
 * ("pc ... (alias of pc-i440fx-7.2)" → "pc-i440fx-7.2"); sorted. */
static GPtrArray *
qemu_parse_machines(const char *text)
{
    g_autoptr(GPtrArray) machines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);

    for (guint i = 0; lines[i]; i++) {
        const char *line = lines[i];
        const char *alias = strstr(line, "(alias of ");
        gsize n = strcspn(line, " \t");

        if (i == 0 && g_str_has_prefix(line, "Supported machines"))
            continue;
        if (alias) {
            alias += strlen("(alias of ");
            machines_add(machines, seen, alias, strcspn(alias, ")"));
        } else {
            machines_add(machines, seen, line, n);
        }
    }
    g_ptr_array_sort(machines, strptr_cmp);
    return g_steal_pointer(&machines);
}

/* Find QEMU on PATH; record the binary or a note. */
static char *
qemu_find(VmcHost *host)
{
    const char *prog = qemu_program(host->arch);
    char *path = g_find_program_in_path(prog);

    if (!path)
        vmc__host_note(host,
                       "no %s on PATH: QEMU release and machine types unknown",
                       prog);
    return path;
}

/* The installed QEMU's two runs, started before the ioctls so that QEMU's
 * start-up overlaps them. */
typedef struct {
    char *binary;
    VmcHostRun *version;       /* --version, or NULL (noted) */
    VmcHostRun *machines;      /* -machine help, or NULL (noted) */
} QemuRuns;

static void
qemu_runs_clear(QemuRuns *r)
{
    g_clear_pointer(&r->binary, g_free);
    g_clear_pointer(&r->version, vmc__host_run_free);
    g_clear_pointer(&r->machines, vmc__host_run_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(QemuRuns, qemu_runs_clear)

/* Start --version and -machine help of the QEMU on PATH, if any. */
static void
qemu_runs_start(VmcHost *host, QemuRuns *r)
{
    g_autoptr(GError) error = NULL;
    const char *version_argv[] = { NULL, "--version", NULL };
    const char *machines_argv[] = { NULL, "-machine", "help", NULL };

    r->binary = qemu_find(host);
    if (!r->binary)
        return;
    version_argv[0] = machines_argv[0] = r->binary;
    r->version = vmc__host_run_start(version_argv, &error);
    if (!r->version) {
        vmc__host_note(host, "QEMU release unknown: %s", error->message);
        g_clear_error(&error);
    }
    r->machines = vmc__host_run_start(machines_argv, &error);
    if (!r->machines)
        vmc__host_note(host, "QEMU machine types unknown: %s", error->message);
}

/* Collect the installed QEMU's release and machine types. */
static void
qemu_runs_finish(VmcHost *host, QemuRuns *r)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;

    if (!r->binary)
        return;
    g_free(host->qemu_binary);
    host->qemu_binary = g_strdup(r->binary);
    if (r->version) {
        if (!vmc__host_run_finish(r->version, QEMU_RUN_TIMEOUT_MS, &out,
                                  &error)) {
            vmc__host_note(host, "QEMU release unknown: %s", error->message);
            g_clear_error(&error);
        } else {
            g_free(host->qemu_version);
            host->qemu_version = qemu_parse_version(out);
            if (!host->qemu_version)
                vmc__host_note(host,
                               "QEMU release unknown: '%s --version' printed no version",
                               r->binary);
        }
        g_clear_pointer(&out, g_free);
    }
    if (r->machines) {
        if (!vmc__host_run_finish(r->machines, QEMU_RUN_TIMEOUT_MS, &out,
                                  &error)) {
            vmc__host_note(host, "QEMU machine types unknown: %s",
                           error->message);
            return;
        }
        if (host->machine_types)
            g_ptr_array_unref(host->machine_types);
        host->machine_types = qemu_parse_machines(out);
    }
}

/* Ask @command and keep QEMU's whole reply ({"return": ...} or
 * {"error": ...}) under @key, as a capture directory names it. FALSE with
 * @error on I/O failure; a refusal is kept and noted. */
static gboolean
qmp_record(VmcHost *host, VmcQmpClient *q, const char *key, const char *command,
           json_object *arguments, json_object **ret_reply, GError **error)
{
    g_autoptr(json_object) reply = vmc__qmp_client_execute(q, command, arguments,
                                                         error);
    json_object *err;

    if (!reply)
        return FALSE;
    vmc__host_set_qmp_reply(host, key,
                            json_object_to_json_string_ext(
                                reply, JSON_C_TO_STRING_PLAIN));
    err = jget(reply, "error");
    if (err)
        vmc__host_note(host, "QEMU refused %s: %s", key,
                       json_object_get_string(jget(err, "desc")));
    if (ret_reply)
        *ret_reply = g_steal_pointer(&reply);
    return TRUE;
}

/* Version and machine types from QEMU's own QMP answers. */
static void
qmp_read_version_machines(VmcHost *host, json_object *version,
                          json_object *machines)
{
    json_object *q = jget(jget(version, "return"), "qemu");
    json_object *list = jget(machines, "return");

    if (q) {
        g_free(host->qemu_version);
        host->qemu_version = g_strdup_printf(
            "%d.%d.%d", json_object_get_int(jget(q, "major")),
            json_object_get_int(jget(q, "minor")),
            json_object_get_int(jget(q, "micro")));
    }
    if (list && json_object_is_type(list, json_type_array)) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) seen =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        for (gsize i = 0; i < json_object_array_length(list); i++) {
            const char *name = json_object_get_string(
                jget(json_object_array_get_idx(list, i), "name"));
            if (name)
                machines_add(names, seen, name, strlen(name));
        }
        g_ptr_array_sort(names, strptr_cmp);
        if (host->machine_types)
            g_ptr_array_unref(host->machine_types);
        host->machine_types = g_steal_pointer(&names);
    }
}

/* Start opts->qemu (-machine none -S, KVM when present) and record its
 * answers in host->qmp. */
static gboolean
probe_qemu_qmp(VmcHost *host, const char *binary, GError **error)
{
    const char *args[] = {
        "-machine", "none", "-accel", host->has_kvm ? "kvm" : "tcg",
        "-nodefaults", "-nographic", "-S", NULL,
    };
    static const char *const models[] = { "host", "max" };
    static const char *const types[] = { "static", "full" };
    g_autoptr(VmcQmpClient) q = NULL;
    g_autoptr(json_object) version = NULL;
    g_autoptr(json_object) machines = NULL;

    q = vmc__qmp_client_spawn(binary, args, 0, error);
    if (!q)
        return FALSE;
    g_free(host->qemu_binary);
    host->qemu_binary = g_strdup(binary);
    if (!qmp_record(host, q, "query-version", "query-version", NULL,
                    &version, error) ||
        !qmp_record(host, q, "query-machines", "query-machines", NULL,
                    &machines, error) ||
        !qmp_record(host, q, "query-cpu-definitions", "query-cpu-definitions",
                    NULL, NULL, error))
        return FALSE;
    qmp_read_version_machines(host, version, machines);
    for (guint m = 0; m < G_N_ELEMENTS(models); m++) {
        if (g_str_equal(models[m], "host") && !host->has_kvm)
            continue;                  /* "host" needs KVM */
        for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
            g_autoptr(json_object) a = json_object_new_object();
            g_autoptr(json_object) model = json_object_new_object();
            g_autofree char *key = g_strdup_printf(
                "query-cpu-model-expansion-%s-%s", types[t], models[m]);

            json_object_object_add(model, "name",
                                   json_object_new_string(models[m]));
            json_object_object_add(a, "type", json_object_new_string(types[t]));
            json_object_object_add(a, "model", json_object_get(model));
            if (!qmp_record(host, q, key, "query-cpu-model-expansion", a,
                            NULL, error))
                return FALSE;
        }
    }
    return TRUE;
}

/* ---- The probe ---------------------------------------------------------- */

/* Log the time since @t0 for @stage (debug); returns now. */
static gint64
probe_elapsed(gint64 t0, const char *stage)
{
    gint64 now = g_get_monotonic_time();

    g_debug("probe: %s took %.1f ms", stage, (double) (now - t0) / 1000.0);
    return now;
}

VmcHost *
vmc_host_probe(VmcCatalog *cat, const VmcHostProbeOptions *opts,
               GError **error)
{
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(KvmNames) names = NULL;
    g_auto(QemuRuns) installed = { 0 };
    g_autoptr(NetProbe) net = NULL;
    GThread *net_thread = NULL;
    VmcArch arch = probe_arch();
    gint64 t = g_get_monotonic_time();

    g_return_val_if_fail(cat != NULL, NULL);
    g_return_val_if_fail(!opts || opts->version == VMC_HOST_PROBE_OPTIONS_VERSION,
                         NULL);
    if (arch == VMC_ARCH_N) {
        struct utsname u;
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "cannot probe this host: no CPU driver for arch '%s' (x86_64, s390x)",
                    uname(&u) == 0 ? u.machine : "unknown");
        return NULL;
    }
    names = kvm_names_load(error);
    if (!names)
        return NULL;

    host = vmc__host_new(cat, arch, VMC_HOST_SOURCE_PROBE);
    if (!host->name)
        host->name = g_strdup(g_get_host_name());
    /* The slow parts first, each on its own: QEMU's runs and the tap
     * device (see NetProbe); the ioctls overlap them. */
    if (!(opts && opts->qemu))
        qemu_runs_start(host, &installed);
    net = probe_net_start(opts, &net_thread);
    probe_kernel(host, opts);
    probe_cpu(host);
    t = probe_elapsed(t, "cpuid");
    probe_kvm(host, opts, names);
    t = probe_elapsed(t, "kvm");
    if (opts && opts->qemu) {
        if (!probe_qemu_qmp(host, opts->qemu, error)) {
            probe_net_finish(host, net, net_thread);
            return NULL;
        }
    } else {
        qemu_runs_finish(host, &installed);
    }
    t = probe_elapsed(t, "qemu (wait)");
    probe_net_finish(host, net, net_thread);
    t = probe_elapsed(t, "net (wait)");
    g_debug("probe: %u hardware features, %u KVM features, %u capabilities",
            vmc_feature_set_count(&host->hw_features),
            vmc_feature_set_count(&host->kvm_features),
            g_hash_table_size(host->capabilities));
    if (vmc_feature_set_count(&host->kvm_features) > 0) {
        g_autofree char *list = vmc__catalog_format_set(cat, arch,
                                                        &host->kvm_features);
        g_debug("probe: KVM features: %s", list);
    }
    if (!vmc__host_finish(host, error))
        return NULL;
    probe_elapsed(t, "finish");
    return g_steal_pointer(&host);
}
