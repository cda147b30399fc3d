/* host-private.h: the body of VmcHost, for the host layer and tests.
 *
 * Invariants: cpu is a host-type VmcCpuDef bound to cat; kvm_features is
 * meaningful only when has_kvm; hw_features is what CPUID reported (x86) —
 * both sets are catalog feature ids of arch. capabilities maps names to
 * strings ("yes"/"no"/numbers/"unknown: why"); notes say what was not probed.
 */
#pragma once

#include <vmcompat/host.h>
#include <vmcompat/cpuid.h>
#include "catalog/cpu-def-private.h"

struct _VmcHost {
    gint refs;
    VmcCatalog *cat;
    VmcArch arch;
    VmcHostSource source;
    char *name;                /* hostname or file */
    char *kernel;              /* uname -r */
    char *qemu_version;        /* "7.2.22" */
    char *qemu_binary;
    gboolean has_kvm;
    int kvm_api_version;       /* -1 unknown */
    char *vendor;              /* vendor name ("Intel") */
    gboolean has_signature;
    guint family, model, stepping;
    VmcFeatureSet hw_features;     /* CPUID (hardware) */
    VmcFeatureSet kvm_features;    /* KVM_GET_SUPPORTED_CPUID + feature MSRs */
    VmcCpuidData *cpuid;           /* raw hardware CPUID, when probed/read */
    VmcCpuDef *cpu;                /* the guest-usable host CPU (host type) */
    GHashTable *capabilities;      /* char* → char* */
    GPtrArray *machine_types;      /* char*, NULL when unknown */
    GPtrArray *notes;              /* char* */
    /* QEMU's own answers over QMP, when asked (--qemu) or read from a
     * capture: command name (+ "-static"/"-full") → json text. */
    GHashTable *qmp;
    /* What a document written from this host says in "source": who
     * measured it. vmc__host_new() sets it to source; a loaded document
     * keeps its writer's (source is DOCUMENT then), so save(load(doc))
     * writes doc again. */
    VmcHostSource doc_source;
};

/* vmc__host_new: an empty host of @arch (no CPU yet). */
VmcHost *vmc__host_new(VmcCatalog *cat, VmcArch arch, VmcHostSource source);

/* vmc__host_finish: decode the guest-usable feature set into host->cpu
 * (x86: libvirt's host decode; s390x: the newest model whose features are
 * a subset), keep vendor/signature. Called by every producer of a host. */
gboolean vmc__host_finish(VmcHost *host, GError **error);

/* vmc__host_set_capability: record a named capability value. */
void vmc__host_set_capability(VmcHost *host, const char *name, const char *value);

/* vmc__host_note: record what could not be probed, printf-style. */
void vmc__host_note(VmcHost *host, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- Programs as subprocesses (run.c), for the probe ------------------
 * QEMU over QMP goes through the library's one QMP client
 * (base/qmp-client.h).
 */
#include <json-c/json.h>
#include "base/qmp-client.h"

/* Bound on what vmc__host_run() keeps of a program's stdout/stderr. */
#define VMC_HOST_RUN_MAX_OUTPUT (4u * 1024u * 1024u)

/* vmc__host_run_start / _finish / _free: run a program (no shell, stdin
 * /dev/null) while the caller does other work. _finish waits at most
 * @timeout_ms; on success *@ret_stdout holds its output (at most
 * VMC_HOST_RUN_MAX_OUTPUT bytes, NUL-terminated) and it returns TRUE when
 * the program exited with status 0; a program that does not finish in
 * time is killed; errors name the program and quote its stderr. _free
 * kills and reaps a program still running. NULL-safe. */
typedef struct _VmcHostRun VmcHostRun;
VmcHostRun *vmc__host_run_start(const char *const *argv, GError **error);
gboolean vmc__host_run_finish(VmcHostRun *run, guint timeout_ms,
                              char **ret_stdout, GError **error);
void vmc__host_run_free(VmcHostRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcHostRun, vmc__host_run_free)

/* vmc__host_run: _start + _finish. */
gboolean vmc__host_run(const char *const *argv, guint timeout_ms,
                       char **ret_stdout, GError **error);

/* ---- host document and readers (host.c, host-readers.c) ---------------- */

/* Bounds on what a host document or a libvirt/QMP input may hold: array
 * entries (features, leaves, machine types, capabilities, notes) and the
 * length of one string value. */
#define VMC_HOST_MAX_ITEMS 4096
#define VMC_HOST_MAX_QMP_REPLIES 256
#define VMC_HOST_MAX_STRING 4096

/* vmc__host_set_qmp_reply: keep QEMU's reply (the whole {"return": ...} or
 * {"error": ...} object, as JSON text) under @key: the command name, plus
 * "-static"/"-full" and "-<model>" for query-cpu-model-expansion
 * ("query-cpu-model-expansion-full-host") — the file names of a capture
 * directory without ".json". */
void vmc__host_set_qmp_reply(VmcHost *host, const char *key, const char *json);

/* vmc__host_not_a_host: the error for an input that is no host, naming the
 * file and line, what was found, and the accepted formats. */
void vmc__host_not_a_host(GError **error, const char *file, long line,
                          const char *found);

/* vmc__host_parse_xml: a host from libvirt XML — virsh capabilities, virsh
 * domcapabilities or a CPUID dump (<cpudata>) — already finished. */
VmcHost *vmc__host_parse_xml(VmcCatalog *cat, const char *data, gsize len,
                             const char *file, GError **error);

/* vmc__host_load_qmp_dir: a host from a directory of QMP captures (one
 * {"request", "response"} file per command, as shared/data/qemu-qmp/). */
VmcHost *vmc__host_load_qmp_dir(VmcCatalog *cat, const char *dir,
                                GError **error);
