/* vmcompat.h: umbrella header of libvmcompat. */
#pragma once

#include <vmcompat/error.h>
#include <vmcompat/arch.h>
#include <vmcompat/feature-set.h>
#include <vmcompat/catalog.h>
#include <vmcompat/cpu-def.h>
#include <vmcompat/cpuid.h>
#include <vmcompat/cpu-ops.h>
#include <vmcompat/host.h>
#include <vmcompat/release.h>
#include <vmcompat/machine.h>
#include <vmcompat/platform.h>
#include <vmcompat/verdict.h>
#include <vmcompat/guest.h>
#include <vmcompat/abi.h>
#include <vmcompat/lint.h>
#include <vmcompat/migrate.h>
#include <vmcompat/record.h>
#include <vmcompat/save-image.h>
#include <vmcompat/guestos.h>
#include <vmcompat/fleet.h>
