// SPDX-License-Identifier: MIT
/*
 * mm/slob_ops_tmp.c - TEMPORARY: a placeholder for slob_ops until the real
 * allocator (mm/slob.c) is merged.  Without an init hook, slab=slob is
 * refused at boot ("not built in").  The branch that defines slob_ops for
 * real deletes this file (git rm mm/slob_ops_tmp.c).
 */
#include "slab.h"

const struct slab_allocator_ops slob_ops = { .name = "slob" };
