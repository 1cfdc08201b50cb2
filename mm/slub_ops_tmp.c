// SPDX-License-Identifier: MIT
/*
 * mm/slub_ops_tmp.c - TEMPORARY: a placeholder for slub_ops until the real
 * allocator (mm/slub.c) is merged.  Without an init hook, slab=slub is
 * refused at boot ("not built in").  The branch that defines slub_ops for
 * real deletes this file (git rm mm/slub_ops_tmp.c).
 */
#include "slab.h"

const struct slab_allocator_ops slub_ops = { .name = "slub" };
