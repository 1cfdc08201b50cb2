// SPDX-License-Identifier: MIT
/*
 * numa/lockdep.c - the lock validator (mmsim/lockdep.h): lock classes, the
 * held-lock stack of each thread, the dependency graph and its checks.
 * The reports are printed by lockdep_report.c.
 *
 * Who touches what:
 *   __lockdep_on, lockdep_gen	written by lockdep_reset() (mm_boot(), no
 *		lock of the machine in use), read relaxed by anyone.  A
 *		thread whose stack is of an older generation forgets it.
 *   classes[], class_hash[]	a class is filled in under graph_lock, then
 *		published by the release store of its hash bucket (or of the
 *		previous class's hash_next); lock-free lookups load them with
 *		acquire, so key/subclass/name are seen whole.  Fields read
 *		without the lock are atomics.
 *   class->usage	atomic: any thread tests it (relaxed, a hint: a bit
 *		seen set is set for good); new bits are set under graph_lock.
 *   class->edges, usage_trace[], edges[], traces[], reported[], bfs_*
 *		graph_lock only.
 *   edge_hash[]	the "edge prev -> next is known" test, lock-free: a slot
 *		is written once (release, under graph_lock) with its key and
 *		read with acquire; an edge seen there was checked for cycles
 *		when it was added, so its acquire needs no more work.
 *   struct lockdep_task	per thread, its own: the held-lock stack.
 *
 * lockdep runs with the calling CPU's interrupts off (current->irqs_disabled
 * raised, restored after), so an IPI handler never re-enters it on the same
 * thread, and a CPU never holds graph_lock when stop_machine() stops it.
 * lockdep_task.recursion makes the locks taken by its own printing
 * invisible to it.  graph_lock is dropped before anything is printed.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <pthread.h>
#include <string.h>

#include <mmsim/machine.h>
#include "lockdep.h"
#include "printk.h"

#ifdef MMSIM_DEBUG
int __lockdep_on = 1;
#else
int __lockdep_on;
#endif
static unsigned int lockdep_gen = 1;		/* relaxed: see above */

struct lock_class {
	const void *key;		/* atomic */
	const char *name;		/* atomic */
	unsigned int subclass;		/* atomic */
	int hash_next;			/* atomic: index + 1, 0 ends */
	unsigned int usage;		/* atomic: 1 << LOCK_* */
	int edges;			/* graph_lock: first edge + 1 */
	int usage_trace[LOCK_USAGE_STATES];	/* graph_lock: trace + 1 */
};

struct lock_edge {
	int from, to;
	int next;			/* the next edge of `from`, + 1 */
	int trace;			/* where `to` was taken, + 1 */
};

static pthread_mutex_t graph_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lock_class classes[LOCKDEP_MAX_CLASSES];
static int nr_classes;				/* graph_lock */
static int class_hash[LOCKDEP_MAX_CLASSES];	/* atomic: index + 1 */
static struct lock_edge edges[LOCKDEP_MAX_EDGES];
static int nr_edges;				/* graph_lock */
static unsigned long long edge_hash[LOCKDEP_EDGE_HASH];	/* atomic */
static struct lockdep_trace traces[LOCKDEP_MAX_TRACES];
static int nr_traces;				/* graph_lock */
static int graph_full;				/* atomic: a table is full */
#define LOCKDEP_MAX_REPORTED	1024
static unsigned long long reported[LOCKDEP_MAX_REPORTED];	/* graph_lock */
static unsigned int bfs_mark[LOCKDEP_MAX_CLASSES];	/* graph_lock */
static int bfs_parent[LOCKDEP_MAX_CLASSES];		/* graph_lock: edge + 1 */
static int bfs_queue[LOCKDEP_MAX_CLASSES];		/* graph_lock */
static unsigned int bfs_gen;				/* graph_lock */

struct lockdep_task {
	unsigned int gen;		/* lockdep_gen of held[] */
	int depth;
	int lost;			/* forgotten locks: their unlock is silent */
	int overflow;			/* taken beyond MAX_DEPTH, not recorded */
	int recursion;			/* inside lockdep */
	struct held_lock held[LOCKDEP_MAX_DEPTH];
};
static __thread struct lockdep_task ldt;

struct lockdep_map rcu_lock_map = STATIC_LOCKDEP_MAP_INIT("rcu_read_lock", &rcu_lock_map);

int lockdep_default_on(void)
{
#ifdef MMSIM_DEBUG
	return 1;
#else
	return 0;
#endif
}

/* ------------------------------------------------------------------ */
/* Entering and leaving: interrupts off, no recursion                   */

/* 0 if lockdep must not run (already inside it); else interrupts go off
 * and *irqs holds their state, for lockdep_exit(). */
static int lockdep_enter(int *irqs)
{
	struct lockdep_task *t = &ldt;
	unsigned int gen = __atomic_load_n(&lockdep_gen, __ATOMIC_RELAXED);

	if (t->recursion)
		return 0;
	*irqs = current->irqs_disabled;
	local_irq_disable();
	t->recursion++;
	if (t->gen != gen) {		/* a new kernel: forget the old */
		t->lost += t->depth;
		t->depth = 0;
		t->overflow = 0;
		t->gen = gen;
	}
	return 1;
}

/*
 * Interrupts back as they were, without running the IPIs that came
 * meanwhile: lockdep is called where the caller may hold a spinlock with
 * interrupts on (spin_unlock() still holds its lock), and an IPI run here
 * would be certain where a real one is rare (a stop_machine() stopping
 * the holder).  They run at the CPU's next interrupt-enabling point, as
 * an interrupt that came while they were off does.
 */
static void lockdep_exit(int irqs)
{
	ldt.recursion--;
	barrier();
	WRITE_ONCE(current->irqs_disabled, irqs);
	barrier();
}

/* ------------------------------------------------------------------ */
/* Classes                                                              */

static const void *map_key(const struct lockdep_map *map)
{
	if (map->key)
		return map->key;
	return map->name ? (const void *)map->name : (const void *)map;
}

static unsigned int class_hash_of(const void *key, unsigned int subclass)
{
	unsigned long h = (unsigned long)key * 0x9e3779b97f4a7c15UL;

	return (unsigned int)((h >> 40) ^ subclass) & (LOCKDEP_MAX_CLASSES - 1);
}

static int class_find(const void *key, unsigned int subclass)
{
	/* Acquire: pairs with the release in class_register(). */
	int i = __atomic_load_n(&class_hash[class_hash_of(key, subclass)], __ATOMIC_ACQUIRE);

	while (i) {
		struct lock_class *c = &classes[i - 1];

		if (__atomic_load_n(&c->key, __ATOMIC_RELAXED) == key &&
		    __atomic_load_n(&c->subclass, __ATOMIC_RELAXED) == subclass)
			return i - 1;
		i = __atomic_load_n(&c->hash_next, __ATOMIC_ACQUIRE);
	}
	return -1;
}

/* The class of map/subclass, registered on first use; -1 if the table is
 * full (reported once). */
static int class_register(const struct lockdep_map *map, unsigned int subclass)
{
	const void *key = map_key(map);
	unsigned int h;
	struct lock_class *c;
	int i = class_find(key, subclass), full = 0;

	if (i >= 0)
		return i;
	if (__atomic_load_n(&graph_full, __ATOMIC_RELAXED))
		return -1;
	pthread_mutex_lock(&graph_lock);
	i = class_find(key, subclass);
	if (i < 0 && nr_classes == LOCKDEP_MAX_CLASSES) {
		full = !__atomic_exchange_n(&graph_full, 1, __ATOMIC_RELAXED);
	} else if (i < 0) {
		i = nr_classes++;
		c = &classes[i];
		h = class_hash_of(key, subclass);
		__atomic_store_n(&c->key, key, __ATOMIC_RELAXED);
		__atomic_store_n(&c->name, map->name ? map->name : "(unnamed)",
				 __ATOMIC_RELAXED);
		__atomic_store_n(&c->subclass, subclass, __ATOMIC_RELAXED);
		__atomic_store_n(&c->usage, 0, __ATOMIC_RELAXED);
		c->edges = 0;
		memset(c->usage_trace, 0, sizeof(c->usage_trace));
		__atomic_store_n(&c->hash_next, __atomic_load_n(&class_hash[h], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
		/* Release: the class is whole for whoever finds it. */
		__atomic_store_n(&class_hash[h], i + 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&graph_lock);
	if (full) {
		struct lockdep_report r = { .kind = LR_OVERFLOW,
					    .msg = "MAX_LOCKDEP_KEYS too low!" };
		lockdep_print_report(&r);
	}
	return i;
}

void lockdep_class_info(int class, struct lockdep_class_info *info)
{
	if (class < 0) {
		info->name = "(no class)";
		info->subclass = 0;
		info->usage = 0;
		return;
	}
	info->name = __atomic_load_n(&classes[class].name, __ATOMIC_RELAXED);
	info->subclass = __atomic_load_n(&classes[class].subclass, __ATOMIC_RELAXED);
	info->usage = __atomic_load_n(&classes[class].usage, __ATOMIC_RELAXED);
}

/* graph_lock: save the caller's stack; the index + 1, or 0. */
static noinline int trace_save(void)
{
	struct lockdep_trace *tr;

	if (nr_traces == LOCKDEP_MAX_TRACES)
		return 0;
	tr = &traces[nr_traces++];
	tr->nframes = backtrace(tr->frames, LOCKDEP_TRACE_FRAMES);
	return nr_traces;
}

static void trace_copy(struct lockdep_trace *to, int trace)
{
	if (trace > 0)
		*to = traces[trace - 1];
	else
		to->nframes = 0;
}

/* graph_lock: 1 the first time (kind, a, b) is to be reported. */
static int report_once(int kind, int a, int b)
{
	unsigned long long key = ((unsigned long long)kind << 48 |
				  (unsigned long long)(a + 1) << 24 | (unsigned long long)(b + 1)) + 1;
	unsigned int i = (unsigned int)(key * 0x9e3779b97f4a7c15ULL >> 40) % LOCKDEP_MAX_REPORTED;

	for (int n = 0; n < LOCKDEP_MAX_REPORTED; n++, i = (i + 1) % LOCKDEP_MAX_REPORTED) {
		if (reported[i] == key)
			return 0;
		if (!reported[i]) {
			reported[i] = key;
			return 1;
		}
	}
	return 0;			/* full: enough has been said */
}

static int report_once_locked(int kind, int a, int b)
{
	int first;

	pthread_mutex_lock(&graph_lock);
	first = report_once(kind, a, b);
	pthread_mutex_unlock(&graph_lock);
	return first;
}

/* ------------------------------------------------------------------ */
/* Usage: irq safety                                                    */

/* Set the new usage bits of hl's class; an inconsistent state is
 * reported (once per class and pair of bits). */
static void mark_usage(const struct held_lock *hl, int hardirqs_off, int pc)
{
	struct lock_class *c = &classes[hl->class];
	unsigned int need = 0, fresh;
	struct lockdep_report r;
	int report = 0;

	if (!hl->trylock) {
		if (pc & HARDIRQ_MASK)
			need |= 1U << (LOCK_USED_IN_HARDIRQ + (hl->read ? 1 : 0));
		if (pc & SOFTIRQ_MASK)
			need |= 1U << (LOCK_USED_IN_SOFTIRQ + (hl->read ? 1 : 0));
	}
	if (!hardirqs_off) {
		need |= 1U << (LOCK_ENABLED_HARDIRQ + (hl->read ? 1 : 0));
		if (!(pc & SOFTIRQ_MASK))
			need |= 1U << (LOCK_ENABLED_SOFTIRQ + (hl->read ? 1 : 0));
	}
	/* Relaxed: a hint; a bit seen set stays set until the next boot. */
	fresh = need & ~__atomic_load_n(&c->usage, __ATOMIC_RELAXED);
	if (likely(!fresh))
		return;
	pthread_mutex_lock(&graph_lock);
	for (int bit = 0; bit < LOCK_USAGE_STATES; bit++) {
		unsigned int have = __atomic_load_n(&c->usage, __ATOMIC_RELAXED);
		int excl = LOCK_USAGE_EXCL(bit);

		if (!(fresh & (1U << bit)) || (have & (1U << bit)))
			continue;
		if (!report && (have & (1U << excl)) &&
		    report_once(LR_USAGE, hl->class, bit * 16 + excl)) {
			report = 1;
			r.kind = LR_USAGE;
			r.next = *hl;
			r.old_bit = excl;
			r.new_bit = bit;
			r.line = !hardirqs_off;
			trace_copy(&r.old_trace, c->usage_trace[excl]);
		}
		c->usage_trace[bit] = trace_save();
		__atomic_fetch_or(&c->usage, 1U << bit, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&graph_lock);
	if (report) {
		lockdep_class_info(hl->class, &r.next_class);
		lockdep_print_report(&r);
	}
}

/* ------------------------------------------------------------------ */
/* Dependencies                                                         */

static unsigned long long edge_key(int from, int to)
{
	return (unsigned long long)(from + 1) << 32 | (unsigned int)(to + 1);
}

static unsigned int edge_slot(unsigned long long key)
{
	return (unsigned int)((key * 0x9e3779b97f4a7c15ULL) >> 40) & (LOCKDEP_EDGE_HASH - 1);
}

/* Lock-free: 1 if from -> to is in the graph. */
static int edge_known(int from, int to)
{
	unsigned long long key = edge_key(from, to), k;
	unsigned int i = edge_slot(key);

	/* Acquire: pairs with the release in edge_add(). */
	while ((k = __atomic_load_n(&edge_hash[i], __ATOMIC_ACQUIRE)) != 0) {
		if (k == key)
			return 1;
		i = (i + 1) & (LOCKDEP_EDGE_HASH - 1);
	}
	return 0;
}

/* graph_lock: from -> to, taken where trace says; 0 if the graph is full. */
static int edge_add(int from, int to, int trace)
{
	unsigned long long key = edge_key(from, to);
	unsigned int i = edge_slot(key);
	struct lock_edge *e;

	if (nr_edges == LOCKDEP_MAX_EDGES)
		return 0;
	e = &edges[nr_edges++];
	e->from = from;
	e->to = to;
	e->trace = trace;
	e->next = classes[from].edges;
	classes[from].edges = nr_edges;
	while (__atomic_load_n(&edge_hash[i], __ATOMIC_RELAXED))
		i = (i + 1) & (LOCKDEP_EDGE_HASH - 1);
	/* Release: the edge is in the graph before anyone skips its check. */
	__atomic_store_n(&edge_hash[i], key, __ATOMIC_RELEASE);
	return 1;
}

/* graph_lock: breadth-first from `from`; the edge + 1 that reached
 * `target` is in bfs_parent[] along the path; 1 if found. */
static int bfs_reaches(int from, int target)
{
	int head = 0, tail = 0;

	bfs_gen++;
	bfs_mark[from] = bfs_gen;
	bfs_parent[from] = 0;
	bfs_queue[tail++] = from;
	while (head < tail) {
		int c = bfs_queue[head++];

		for (int e = classes[c].edges; e; e = edges[e - 1].next) {
			int to = edges[e - 1].to;

			if (bfs_mark[to] == bfs_gen)
				continue;
			bfs_mark[to] = bfs_gen;
			bfs_parent[to] = e;
			if (to == target)
				return 1;
			bfs_queue[tail++] = to;
		}
	}
	return 0;
}

/* graph_lock: fill the circular report: the path next -> ... -> prev. */
static void circular_fill(struct lockdep_report *r, int from, int to)
{
	int path[LOCKDEP_MAX_CLASSES > 64 ? 64 : LOCKDEP_MAX_CLASSES];
	int n = 0, c = to;

	/* walk back from prev (to) to next (from) */
	while (c != from && n < 63) {
		path[n++] = c;
		c = edges[bfs_parent[c] - 1].from;
	}
	path[n++] = from;
	/* path[0] = prev ... path[n-1] = next; the report prints from prev */
	r->chain_cut = n > LOCKDEP_MAX_CHAIN ? n - LOCKDEP_MAX_CHAIN : 0;
	r->nchain = 0;
	for (int i = 0; i < n && r->nchain < LOCKDEP_MAX_CHAIN; i++) {
		int k = r->nchain++;

		lockdep_class_info(path[i], &r->chain[k]);
		if (i < n - 1)
			trace_copy(&r->chain_trace[k], edges[bfs_parent[path[i]] - 1].trace);
		else
			r->chain_trace[k].nframes = 0;	/* next: the current stack */
	}
}

static void check_prev_add(const struct held_lock *prev, const struct held_lock *next,
			   int *trace)
{
	struct lockdep_report r;
	int report = 0;

	if (prev->class == next->class || next->read == 2)
		return;
	if (edge_known(prev->class, next->class))
		return;
	pthread_mutex_lock(&graph_lock);
	if (!edge_known(prev->class, next->class)) {
		if (bfs_reaches(next->class, prev->class)) {
			/* not added: the graph stays acyclic */
			if (report_once(LR_CIRCULAR, prev->class, next->class)) {
				report = 1;
				r.kind = LR_CIRCULAR;
				r.next = *next;
				r.prev = *prev;
				circular_fill(&r, next->class, prev->class);
			}
		} else {
			if (!*trace)
				*trace = trace_save();
			if (!edge_add(prev->class, next->class, *trace))
				__atomic_store_n(&graph_full, 1, __ATOMIC_RELAXED);
		}
	}
	pthread_mutex_unlock(&graph_lock);
	if (report) {
		lockdep_class_info(next->class, &r.next_class);
		lockdep_class_info(prev->class, &r.prev_class);
		lockdep_print_report(&r);
	}
}

/* Every lock held in next's irq context, down to the first one that was
 * not a trylock, comes before next. */
static void check_prevs_add(struct lockdep_task *t, const struct held_lock *next)
{
	int trace = 0;

	if (__atomic_load_n(&graph_full, __ATOMIC_RELAXED))
		return;
	for (int i = t->depth - 1; i >= 0; i--) {
		const struct held_lock *prev = &t->held[i];

		if (prev->irq_context != next->irq_context)
			break;
		if (!prev->check || prev->read == 2 || prev->class < 0)
			continue;
		check_prev_add(prev, next, &trace);
		if (!prev->trylock)
			break;
	}
}

/* The same class again: a deadlock unless both are recursive reads. */
static void check_deadlock(struct lockdep_task *t, const struct held_lock *next)
{
	for (int i = 0; i < t->depth; i++) {
		const struct held_lock *prev = &t->held[i];
		struct lockdep_report r;

		if (prev->class != next->class || !prev->check)
			continue;
		if (next->read == 2 && prev->read)
			return;
		if (!report_once_locked(LR_RECURSIVE, next->class, next->class))
			return;
		r.kind = LR_RECURSIVE;
		r.next = *next;
		r.prev = *prev;
		lockdep_class_info(next->class, &r.next_class);
		lockdep_class_info(prev->class, &r.prev_class);
		lockdep_print_report(&r);
		return;
	}
}

/* ------------------------------------------------------------------ */
/* Acquire and release                                                  */

static void __lock_acquire(struct lockdep_map *map, unsigned int subclass,
			   int trylock, int read, int check, unsigned long ip)
{
	struct lockdep_task *t = &ldt;
	int pc = READ_ONCE(current->preempt_count), irqs;
	struct held_lock hl;

	if (!lockdep_enabled() || !lockdep_enter(&irqs))
		return;
	if (t->depth == LOCKDEP_MAX_DEPTH) {
		if (!t->overflow++ && report_once_locked(LR_OVERFLOW, 0, 0)) {
			struct lockdep_report r = { .kind = LR_OVERFLOW,
						    .msg = "MAX_LOCK_DEPTH too low!" };
			lockdep_print_report(&r);
		}
		goto out;
	}
	if (subclass >= MAX_LOCKDEP_SUBCLASSES)
		subclass = MAX_LOCKDEP_SUBCLASSES - 1;
	hl.map = map;
	hl.class = class_register(map, subclass ? subclass : map->subclass);
	hl.ip = ip;
	hl.irq_context = (pc & HARDIRQ_MASK ? LOCKDEP_CTX_HARDIRQ : 0) |
			 (pc & SOFTIRQ_MASK ? LOCKDEP_CTX_SOFTIRQ : 0);
	hl.read = (unsigned char)read;
	hl.trylock = (unsigned char)trylock;
	hl.check = (unsigned char)check;
	if (check && hl.class >= 0) {
		/* in an IPI handler interrupts are off, as in the kernel's */
		mark_usage(&hl, irqs || (pc & HARDIRQ_MASK), pc);
		check_deadlock(t, &hl);
		if (!trylock)
			check_prevs_add(t, &hl);
	}
	t->held[t->depth++] = hl;
out:
	lockdep_exit(irqs);
}

void lock_acquire(struct lockdep_map *map, unsigned int subclass, int trylock,
		  int read, unsigned long ip)
{
	if (!ip)
		ip = (unsigned long)__builtin_return_address(0);
	__lock_acquire(map, subclass, trylock, read, 1, ip);
}

void lock_acquire_nocheck(struct lockdep_map *map, int read, unsigned long ip)
{
	if (!ip)
		ip = (unsigned long)__builtin_return_address(0);
	__lock_acquire(map, 0, 0, read, 0, ip);
}

void lock_release(struct lockdep_map *map, unsigned long ip)
{
	struct lockdep_task *t = &ldt;
	struct lockdep_report r;
	int irqs, i;

	if (!ip)
		ip = (unsigned long)__builtin_return_address(0);
	if (!lockdep_enabled() || !lockdep_enter(&irqs))
		return;
	for (i = t->depth - 1; i >= 0; i--)
		if (t->held[i].map == map)
			break;
	if (i >= 0) {
		memmove(&t->held[i], &t->held[i + 1], (size_t)(t->depth - i - 1) * sizeof(t->held[0]));
		t->depth--;
	} else if (t->overflow) {
		t->overflow--;
	} else if (t->lost) {
		t->lost--;
	} else {
		int class = class_register(map, map->subclass);

		if (report_once_locked(LR_BAD_UNLOCK, class, class)) {
			memset(&r, 0, sizeof(r));
			r.kind = LR_BAD_UNLOCK;
			r.next.map = map;
			r.next.class = class;
			r.next.ip = ip;
			lockdep_class_info(class, &r.next_class);
			lockdep_print_report(&r);
		}
	}
	lockdep_exit(irqs);
}

int lock_is_held(const struct lockdep_map *map)
{
	struct lockdep_task *t = &ldt;

	if (!lockdep_enabled() ||
	    t->gen != __atomic_load_n(&lockdep_gen, __ATOMIC_RELAXED))
		return 0;
	for (int i = 0; i < t->depth; i++)
		if (t->held[i].map == map)
			return 1;
	return 0;
}

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      struct lock_class_key *key, unsigned int subclass)
{
	map->name = name;
	map->key = key;
	map->subclass = subclass;
}

/* ------------------------------------------------------------------ */
/* The machine's hooks                                                  */

int lockdep_held(const struct held_lock **held)
{
	struct lockdep_task *t = &ldt;

	*held = t->held;
	if (t->gen != __atomic_load_n(&lockdep_gen, __ATOMIC_RELAXED))
		return 0;
	return t->depth;
}

int lockdep_depth(void)
{
	const struct held_lock *held;

	return lockdep_held(&held);
}

void lockdep_print_held_locks(void)
{
	const struct held_lock *held;
	int depth = lockdep_held(&held);

	lockdep_print_held(held, depth);
}

/*
 * mm_boot(), nothing of the machine running: an empty graph, a new
 * generation (threads forget what they held), on or off until the next.
 */
void lockdep_reset(int on)
{
	pthread_mutex_lock(&graph_lock);
	for (int i = 0; i < LOCKDEP_MAX_CLASSES; i++)
		__atomic_store_n(&class_hash[i], 0, __ATOMIC_RELAXED);
	for (int i = 0; i < nr_classes; i++) {
		__atomic_store_n(&classes[i].key, NULL, __ATOMIC_RELAXED);
		__atomic_store_n(&classes[i].usage, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&classes[i].hash_next, 0, __ATOMIC_RELAXED);
	}
	for (int i = 0; i < LOCKDEP_EDGE_HASH; i++)
		__atomic_store_n(&edge_hash[i], 0, __ATOMIC_RELAXED);
	nr_classes = 0;
	nr_edges = 0;
	nr_traces = 0;
	memset(reported, 0, sizeof(reported));
	__atomic_store_n(&graph_full, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&lockdep_gen, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&__lockdep_on, on, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&graph_lock);
}

/* A CPU leaves with locks held: report, and forget them (the host's
 * locks, held across the detach by design, stay). */
void lockdep_cpu_detach(int cpu)
{
	struct lockdep_task *t = &ldt;
	struct lockdep_report r;
	int irqs, n = 0, top = -1;

	if (!lockdep_enabled() || !lockdep_enter(&irqs))
		return;
	for (int i = 0; i < t->depth; i++)
		if (!t->held[i].map->host)
			top = i;
	if (top >= 0 && report_once_locked(LR_DETACH, t->held[top].class, t->held[top].class)) {
		memset(&r, 0, sizeof(r));
		r.kind = LR_DETACH;
		r.line = cpu;
		lockdep_print_report(&r);
	}
	for (int i = 0; i < t->depth; i++) {
		if (t->held[i].map->host)
			t->held[n++] = t->held[i];
		else
			t->lost++;
	}
	t->depth = n;
	lockdep_exit(irqs);
}

void lockdep_rcu_suspicious(const char *file, int line, const char *msg)
{
	struct lockdep_report r;
	int irqs;

	if (!lockdep_enter(&irqs))
		return;
	/* once per message (its address) and boot */
	if (report_once_locked(LR_RCU, (int)((unsigned long)msg & 0xffffff), line)) {
		memset(&r, 0, sizeof(r));
		r.kind = LR_RCU;
		r.file = file;
		r.line = line;
		r.msg = msg;
		lockdep_print_report(&r);
	}
	lockdep_exit(irqs);
}

void lockdep_rcu_sleep_check(const char *file, int line)
{
	if (lockdep_enabled() && lock_is_held(&rcu_lock_map))
		lockdep_rcu_suspicious(file, line,
				       "Illegal context switch in RCU read-side critical section");
}
