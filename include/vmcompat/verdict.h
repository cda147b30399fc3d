/* verdict.h: an answer with typed reasons.
 *
 * Every "can this run / migrate / restore" question answers with a verdict:
 * ok or not, and the reasons — each a kind ("host-capability-missing",
 * "cpu-feature-missing", "machine-type-unknown", "tunable-unknown",
 * "platform-unsupported", ...), a subject (the feature, property or
 * capability) and a sentence for people. Errors make a verdict negative;
 * warnings and notes never do. No verdict is ever a bare boolean.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    VMC_SEVERITY_ERROR,
    VMC_SEVERITY_WARNING,
    VMC_SEVERITY_NOTE,
} VmcSeverity;

typedef struct {
    VmcSeverity severity;
    char *kind;
    char *subject;    /* nullable */
    char *message;
} VmcReason;

typedef struct _VmcVerdict VmcVerdict;

VmcVerdict *vmc_verdict_new(void);
VmcVerdict *vmc_verdict_ref(VmcVerdict *v);
void vmc_verdict_unref(VmcVerdict *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcVerdict, vmc_verdict_unref)

void vmc_verdict_add(VmcVerdict *v, VmcSeverity severity, const char *kind,
                     const char *subject, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
/* TRUE when no reason is an error. */
gboolean vmc_verdict_ok(const VmcVerdict *v);
guint vmc_verdict_count(const VmcVerdict *v);
const VmcReason *vmc_verdict_get(const VmcVerdict *v, guint idx);
/* The first error, or NULL. */
const VmcReason *vmc_verdict_first_error(const VmcVerdict *v);
const char *vmc_severity_to_string(VmcSeverity s);
/* {"ok": bool, "reasons": [{"severity","kind","subject","message"}]} */
char *vmc_verdict_to_json(const VmcVerdict *v);

G_END_DECLS
