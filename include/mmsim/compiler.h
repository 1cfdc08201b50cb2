/* SPDX-License-Identifier: MIT */
/*
 * mmsim/compiler.h - compiler helpers with kernel names.
 *
 * READ_ONCE()/WRITE_ONCE() are relaxed atomic accesses (not volatile casts as
 * in the kernel): ThreadSanitizer then sees a field read without its lock as
 * an intended race-free access.  Ordering is asked for by name with
 * smp_load_acquire()/smp_store_release() on the variable itself.  The only
 * stand-alone fences are smp_wmb()/smp_rmb() where the kernel pairs them
 * for data handed over outside its control (mempool); TSan does not see
 * fences, so every variable they order is also accessed atomically and
 * nothing TSan checks relies on them.
 */
#ifndef MMSIM_COMPILER_H
#define MMSIM_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#define noinline	__attribute__((__noinline__))
#define __cold		__attribute__((__cold__))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#define __maybe_unused	__attribute__((__unused__))

#define L1_CACHE_BYTES		64
#define SMP_CACHE_BYTES		L1_CACHE_BYTES
#define ____cacheline_aligned	__attribute__((__aligned__(SMP_CACHE_BYTES)))

/* Relaxed accesses to a field that others read or write without its lock. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

/* Ordered accesses: every use names what it pairs with. */
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Paired fences (see above): each use names its partner. */
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define min_t(t, a, b)	((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)	((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp(v, lo, hi) min(max((v), (lo)), (hi))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

/*
 * Orderings ThreadSanitizer cannot see, told to it by hand: a handover
 * through a library it does not instrument (liburcu's grace periods and
 * lock-free stack) is tsan_release(addr) before it and tsan_acquire(addr)
 * after it, addr naming what is handed over.  Nothing in other builds.
 */
#if defined(__SANITIZE_THREAD__)
#define MMSIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MMSIM_TSAN 1
#endif
#endif
#ifdef MMSIM_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define tsan_acquire(addr)	__tsan_acquire(addr)
#define tsan_release(addr)	__tsan_release(addr)
#else
#define tsan_acquire(addr)	((void)(addr))
#define tsan_release(addr)	((void)(addr))
#endif

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_COMPILER_H */
