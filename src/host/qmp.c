/* qmp.c: placeholder (being written). */
#include "host/host-private.h"
