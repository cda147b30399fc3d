/* cli.h: shared state and helpers of the vmcompat command-line tool.
 *
 * Exit status: 0 when the question was answered (whatever the answer),
 * 1 when --fail-incompatible was given and the answer is negative, 2 on bad
 * input, unknown model/feature or usage errors.
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <vmcompat/vmcompat.h>
#include <vmcompat/qmp.h>

enum {
    VMC_EXIT_OK = 0,
    VMC_EXIT_NEGATIVE = 1,
    VMC_EXIT_BAD_INPUT = 2,
};

typedef struct {
    const char *prog;        /* "vmcompat cpu compare" */
    gboolean json;
    VmcArch arch;            /* VMC_ARCH_N: auto */
    char **overlays;         /* --catalog DIR (repeatable) */
    char *cpu_map;           /* --cpu-map DIR */
    VmcCatalog *cat;         /* loaded on demand */
} VmcCli;

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(VmcCli *cli, int argc, char **argv);
} VmcCliCommand;

/* Print "vmcompat: <message>" and return the exit code for @error. */
int vmc_cli_fail(VmcCli *cli, GError *error);
/* Like vmc_cli_fail, but a host that cannot (VMC_ERROR_HOST_CAPABILITY) is a
 * negative answer: exit 1. */
int vmc_cli_fail_answer(VmcCli *cli, GError *error);
/* Print a usage error and return 2. */
int vmc_cli_usage_error(VmcCli *cli, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Parse the common + command options; returns FALSE with *ret_exit set. */
gboolean vmc_cli_parse(VmcCli *cli, GOptionContext *ctx, int *argc, char ***argv,
                       int *ret_exit);
/* The catalog (loaded with overlays and --cpu-map on first use). */
VmcCatalog *vmc_cli_catalog(VmcCli *cli, GError **error);
/* Join the strings of @names with @sep; with @max > 0, at most @max of them
 * followed by ", ... (N more)". NULL @names gives "" (transfer full). */
char *vmc_cli_join(GPtrArray *names, const char *sep, guint max);
/* A JSON array of the strings of @names (NULL: empty) (transfer full). */
json_object *vmc_cli_json_strv(GPtrArray *names);
/* Print a json-c object, pretty, with a trailing newline. */
void vmc_cli_print_json(json_object *obj);
/* Print a resulting CPU: libvirt XML, or with --json {"model": CpuModelInfo,
 * "vendor": ..., "signature": {...}} (vendor/signature when known). */
void vmc_cli_print_cpu(VmcCli *cli, const VmcCpuDef *def);
/* Read every CPU from one CLI argument (file or inline). */
GPtrArray *vmc_cli_read_cpus(VmcCli *cli, const char *arg, GError **error);
/* Dispatch a sub-command table; prints help for unknown names. */
int vmc_cli_dispatch(VmcCli *cli, const char *group, const VmcCliCommand *cmds,
                     int argc, char **argv);

/* A host from a file/directory of any accepted format. */
VmcHost *vmc_cli_read_host(VmcCli *cli, const char *arg, GError **error);

/* A verdict: "WHAT: yes|no" and one line per reason, or its JSON. */
void vmc_cli_print_verdict(VmcCli *cli, const VmcVerdict *v, const char *what);
/* One line per reason: "<indent>severity [kind] message". */
void vmc_cli_print_reasons(const VmcVerdict *v, const char *indent);
/* --check MODE: NULL gives VMC_CPU_CHECK_DEFAULT; FALSE (usage error) for
 * anything but none/partial/full. */
gboolean vmc_cli_check_mode(VmcCli *cli, const char *arg, VmcCpuCheck *ret, int *ret_exit);

int vmc_cmd_cpu(VmcCli *cli, int argc, char **argv);
int vmc_cmd_migrate(VmcCli *cli, int argc, char **argv);
int vmc_cmd_restore(VmcCli *cli, int argc, char **argv);
int vmc_cmd_record(VmcCli *cli, int argc, char **argv);
int vmc_cmd_host(VmcCli *cli, int argc, char **argv);
int vmc_cmd_report(VmcCli *cli, int argc, char **argv);
int vmc_cmd_catalog(VmcCli *cli, int argc, char **argv);
int vmc_cmd_demo(VmcCli *cli, int argc, char **argv);
int vmc_cmd_guest(VmcCli *cli, int argc, char **argv);
int vmc_cmd_machine(VmcCli *cli, int argc, char **argv);
int vmc_cmd_host_platforms(VmcCli *cli, int argc, char **argv);
int vmc_cmd_guestos(VmcCli *cli, int argc, char **argv);
int vmc_cmd_fleet(VmcCli *cli, int argc, char **argv);
int vmc_cmd_host_compat(VmcCli *cli, int argc, char **argv);

/* --policy/--date of the guest OS commands: the policy (vendor when NULL)
 * and the day (today when NULL); FALSE with *ret_exit set on bad input. */
gboolean vmc_cli_os_context(VmcCli *cli, const char *policy, const char *date,
                            VmcOsPolicy **ret_policy, GDate *ret_date, int *ret_exit);
/* The guest-os-* reasons of an ABI that names its OS, added to @v (the
 * database opened from @db_dir, or libvirt's default locations). */
void vmc_cli_os_reasons(VmcCli *cli, const char *db_dir, const VmcOsPolicy *policy,
                        const GDate *date, const VmcAbi *abi, VmcVerdict *v);

#define VMC_CLI_OS_ENTRIES(policy, date, db) \
    { "os-policy", 0, 0, G_OPTION_ARG_STRING, &policy, \
      "guest OS support policy when the guest names its OS: vendor (default), age:5y, a file", \
      "POLICY" }, \
    { "os-date", 0, 0, G_OPTION_ARG_STRING, &date, "judge the guest OS on this day (default: today)", \
      "YYYY-MM-DD" }, \
    { "osinfo-db", 0, 0, G_OPTION_ARG_FILENAME, &db, "the osinfo database directory", "DIR" }
