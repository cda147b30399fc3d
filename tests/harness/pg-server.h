/* pg-server.h: a private PostgreSQL server for tests and benchmarks.
 *
 * vmc_test_pg_start() runs Debian's server binaries (initdb, pg_ctl from
 * /usr/lib/postgresql/<N>/bin, or $VMC_TEST_PG_BINDIR) on a UNIX socket in
 * a new temporary directory, no TCP (listen_addresses=''), trust
 * authentication for the role "vmc", fsync off unless asked. Run as root,
 * the server runs as "nobody" (PostgreSQL refuses root). Each database made
 * by vmc_test_pg_create_db() is a fresh inventory. vmc_test_pg_stop()
 * stops the server and removes the directory.
 */
#pragma once

#include <glib.h>

typedef struct _VmcTestPg VmcTestPg;

/* Start a server. NULL with *ret_skip (transfer full) when the binaries
 * are absent; NULL with @error when they are there but the server did not
 * start. @durable: keep fsync on (benchmarks). */
VmcTestPg *vmc_test_pg_start(gboolean durable, char **ret_skip, GError **error);
/* A new, empty database @name: its connection URI (transfer full). */
char *vmc_test_pg_create_db(VmcTestPg *pg, const char *name, GError **error);
/* The server's socket directory. */
const char *vmc_test_pg_dir(VmcTestPg *pg);
void vmc_test_pg_stop(VmcTestPg *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcTestPg, vmc_test_pg_stop)
