/* SPDX-License-Identifier: MIT */
/*
 * stress/mmstress.h - the harness's own types: the options of a run and
 * the run itself, shared by the command line (main.c), the engine
 * (engine.c), the monitor (run.c) and the report (report.c).  Jobs see
 * only engine.h.
 *
 *   struct options	what the command line asked for.
 *   struct run		one `mmstress run`: its options, every CPU's context,
 *			the families its jobs use, the violations found
 *			(run->lock), the checks made, the stop flag.
 *
 * Who touches what: see each field.  Before the CPUs start and after they
 * are joined, the main thread owns everything.
 */
#ifndef STRESS_MMSTRESS_H
#define STRESS_MMSTRESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <mmsim.h>

#include "engine.h"

#define MAX_VIOLATIONS	64
/* What a run may take beyond its duration to stop its CPUs, and what its
 * set-up and its end may take, besides twice the --watchdog time. */
#define GRACE_SECONDS	5.0

struct violation {
	char kind[24];
	int cpu;
	double t;			/* seconds since the run started (0 before) */
	char message[600];		/* a kmemleak block's summary fits */
};

struct options {
	char prog[256];			/* how we were called, for the replay line */
	char boot[512];
	char jobs_spec[256];
	unsigned int weight[MAX_JOBS];	/* 0: not selected */
	double duration;		/* seconds; 0 with --ops */
	uint64_t ops;			/* per CPU; 0: by duration */
	uint64_t seed;
	char json[256];
	double check_every;
	double watchdog;
	int quiet;
	int fail_fast;			/* end the run at the first violation */
	char fail[256];			/* --fail SPEC, "" without (fail.c) */
	unsigned int jitter;		/* --jitter: 0 off, 1..3 (mmsim/jitter.h) */
	unsigned int kmemleak;		/* --kmemleak: seconds between scans, 0 off */
	int inject_corrupt;		/* test-only hooks */
	int inject_leak;
	int inject_hang;
	int inject_corrupt_obj;
	int inject_lost_unlock;
	int inject_setup_hang;
	int inject_uaf;			/* write-after-free */
	int inject_wild;		/* wild-write */
	int inject_fail_leak;		/* fail-leak */
	int inject_lost_object;		/* lost-object (for --kmemleak) */
};

struct run {
	/* Set by the main thread before the CPUs start, read-only after. */
	struct options opt;
	unsigned int nr_cpus;
	struct cpu_ctx *cpus;
	unsigned int total_weight;
	const struct stress_family *families[MAX_FAMILIES];	/* set up for this run */
	unsigned int nr_families;
	int job_family[MAX_JOBS];	/* index in families[], -1: none */
	unsigned int fail_nth;		/* --fail nth:N, 0 without */
	/* The main thread's: the fault sites and injections of the run
	 * (mm_debugfs_show("fault_stats") when the CPUs stopped). */
	char fail_stats[256];
	/* The main thread's, after the CPUs stop (or give up on them). */
	double elapsed;
	int hung;			/* the report is made with CPUs still stuck:
					   only finished CPUs' statistics are read */
	/* The main thread's: the periodic checks, due at start + k * interval
	 * for k >= 1 while the run lasts (before its end, where the final
	 * check is); one due while a check still runs is skipped. */
	unsigned long checks_due;	/* known at the end of the run */
	unsigned long checks_periodic;	/* done (passed or failed) */
	int check_final;		/* the final check was made */
	int stop;			/* atomic (release/acquire): CPUs finish their
					   operation and release everything */
	int corrupted;			/* atomic (relaxed): a corrupt hook fired */
	unsigned int started;		/* atomic (release/acquire): CPUs that
					   entered the run; it starts with all */
	uint64_t start_ns;		/* atomic (relaxed): stress_clock_ns() when
					   set-up began, 0 before (violations'
					   times, t_s, count from it) */
	spinlock_t lock;		/* irq-safe; guards what follows */
	struct violation v[MAX_VIOLATIONS];
	int nr_v;
	int nr_v_dropped;
	unsigned long checks_passed;
	unsigned long checks_failed;
};

int job_index(const char *name);

/* engine.c: the jobs' part of a run */
int engine_setup(struct run *run);	/* before the CPUs start: 0 or -ENOMEM */
void engine_cpu_main(void *info);	/* mm_on_each_cpu()'s function */
void engine_finish(struct run *run);	/* after: on CPU 0, items, checks, teardowns */
void engine_free(struct run *run);
void engine_report(struct run *run, FILE *out);
void engine_report_json(struct run *run, json_t *root);
void describe_last_op(const struct cpu_ctx *c, char *buf, size_t len);

/* inbox.c */
void inbox_init(struct cpu_ctx *c);
/* Everything in c's inbox, received on c (how RECEIVED: c is closing or
 * busy with an operation) or on CPU 0 at the end (AT_END). */
void inbox_drain(struct cpu_ctx *c, struct cpu_ctx *by, enum receipt how);
void inbox_stop(struct cpu_ctx *c);


/* report.c */
void report_human(struct run *run, FILE *out);
int report_json(struct run *run, const char *path);
/* The sentinel's: the violations, each CPU's last operation, the replay
 * line; nothing that takes a lock of the machine. */
void report_brief(struct run *run, FILE *out);
int report_json_brief(struct run *run, const char *path, const char *why);

/* sentinel.c: ends a run that cannot end by itself (its map says how) */
enum run_phase { PHASE_SETUP, PHASE_RUN, PHASE_END };
int sentinel_start(struct run *run);
void sentinel_phase(enum run_phase phase);
void sentinel_fatal(void);		/* a lockup was reported: end the run */
int sentinel_claim_report(void);	/* 1: the main thread writes it */
void sentinel_stop(void);
void print_replay(const struct run *run, FILE *out);
void replay_command(const struct run *run, char *buf, size_t len);

/* fail.c: --fail SPEC */
/* The spec's grammar and numbers: 0, or -1 with why. */
int fail_spec_check(const char *spec, char *why, size_t len);
/* After the boot, before the jobs' set-up: every setting but the ones
 * that arm (probabilities) and the caches' files: 0, or -1 (a message
 * printed: bad usage). */
int fail_setup(struct run *run);
/* After the set-up, before the CPUs start: those. */
void fail_arm(struct run *run);
/* A CPU between operations: its fail-nth again once it fired. */
void fail_cpu_rearm(struct cpu_ctx *c);
/* After the CPUs stopped: the counters kept, every capability off. */
void fail_disarm(struct run *run);
void fail_report(const struct run *run, FILE *out);
void fail_report_json(const struct run *run, json_t *root);

/* kmemleak.c: --kmemleak's scan thread and verdict */
/* After the boot: 0, or -1 (a message printed: bad usage). */
int kl_setup(struct run *run);
/* With the CPUs: 0, or -1 (no thread). */
int kl_start(void);
/* Once every CPU has stopped, before the jobs' teardowns free the drops. */
void kl_stop(void);
void kl_free(void);
/* For the watchdog: 1 while a scan stops the machine; else 0 and the
 * seconds the scans have kept it stopped so far. */
int kl_stopped(double *seconds);
void kl_report(const struct run *run, FILE *out);
void kl_report_json(const struct run *run, json_t *root);

/* run.c */
int harness_run(struct run *run);

/* walk.c: mmstress walk */
int cmd_walk(int argc, char **argv);

/* main.c: bad usage of command cmd, one line on stderr with where to read
 * more (mmstress cmd --help): returns 2, the exit status */
int __printf(2, 3) bad_usage(const char *cmd, const char *fmt, ...);
/* getopt_long()'s ':' (a missing value) or '?' (an unknown option) */
int bad_option(const char *cmd, int c, char **argv);

#endif /* STRESS_MMSTRESS_H */
