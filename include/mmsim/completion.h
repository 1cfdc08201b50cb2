/* SPDX-License-Identifier: MIT */
/*
 * mmsim/completion.h - struct completion, as the kernel's: one thread
 * waits until another says something is done.  Waiters sleep on a wait
 * queue and answer IPIs while they sleep (a CPU waiting here is still
 * reached by drains and stop_machine()).
 *
 *   done	atomic: completions not yet consumed, or UINT_MAX after
 *		complete_all() (until reinit_completion()).  complete()
 *		adds one with a release, a waiter consumes one with an
 *		acquire compare-and-swap: what the completer wrote before is
 *		seen by the waiter it let go.
 *   wait	the sleepers (exclusive: complete() wakes one).
 */
#ifndef MMSIM_COMPLETION_H
#define MMSIM_COMPLETION_H

#include <mmsim/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

struct completion {
	unsigned int done;
	wait_queue_head_t wait;
};

void init_completion(struct completion *x);
/* Back to "not done", for reuse; no one may be waiting. */
void reinit_completion(struct completion *x);
#define DECLARE_COMPLETION(work)					\
	struct completion work = { 0, __WAIT_QUEUE_HEAD_INITIALIZER((work).wait) }

/* Let one waiter (or the next one to come) go.  Any context. */
void complete(struct completion *x);
/* Let every waiter go, present and future.  Any context. */
void complete_all(struct completion *x);
/* Sleep until completed (process context: from atomic context reported,
 * and it returns at once unless already completed). */
void wait_for_completion(struct completion *x);
/* The same for at most timeout jiffies: 0 if it timed out, else the
 * jiffies left (at least 1). */
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);
/* Consume a completion without sleeping: 1 if there was one. */
int try_wait_for_completion(struct completion *x);
/* 1 if a wait_for_completion() would not sleep now. */
int completion_done(struct completion *x);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_COMPLETION_H */
