/* SPDX-License-Identifier: MIT */
/*
 * stress/replay.h - mmstress replay DIR: run again what a soak failure's
 * artifacts folder (ci/soak) recorded.
 */
#ifndef STRESS_REPLAY_H
#define STRESS_REPLAY_H

#include <stdio.h>

/* argv[0] is "replay"; returns only on an error (2), else execs the run. */
int cmd_replay(int argc, char **argv);
void usage_replay(FILE *out);

#endif
