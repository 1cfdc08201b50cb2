// SPDX-License-Identifier: MIT
// bench/gbench_shim.cc - the C++ side of gbench_c.h: each C benchmark is a
// Google Benchmark whose body calls back into C with the State.
#include <benchmark/benchmark.h>

#include "gbench_c.h"

struct gbench_state {
	benchmark::State *st;
	void *arg;
};

extern "C" {

void gbench_register(const char *name, gbench_fn fn, const struct gbench_opts *opts)
{
	void *arg = opts ? opts->arg : nullptr;
	auto *b = benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &st) {
		struct gbench_state s = { &st, arg };

		fn(&s);
	});
	if (opts && opts->range_hi)
		b->RangeMultiplier(8)->Range(opts->range_lo, opts->range_hi);
	if (opts && opts->threads_max) {
		b->ThreadRange(opts->threads_min ? opts->threads_min : 1, opts->threads_max);
		b->UseRealTime();
	}
}

int gbench_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

int gbench_keep_running_batch(struct gbench_state *s, long n)
{
	return s->st->KeepRunningBatch(n);
}

long gbench_iterations(const struct gbench_state *s)
{
	return (long)s->st->iterations();
}

long gbench_range(const struct gbench_state *s)
{
	return (long)s->st->range(0);
}

void *gbench_arg(const struct gbench_state *s)
{
	return s->arg;
}

int gbench_thread_index(const struct gbench_state *s)
{
	return s->st->thread_index();
}

int gbench_threads(const struct gbench_state *s)
{
	return s->st->threads();
}

void gbench_set_items_processed(struct gbench_state *s, long items)
{
	s->st->SetItemsProcessed(items);
}

void gbench_counter(struct gbench_state *s, const char *name, double value, int rate)
{
	s->st->counters[name] = benchmark::Counter(value, rate ?
		benchmark::Counter::kIsRate : benchmark::Counter::kDefaults);
}

void gbench_skip_with_error(struct gbench_state *s, const char *msg)
{
	s->st->SkipWithError(msg);
}

void gbench_pause_timing(struct gbench_state *s)
{
	s->st->PauseTiming();
}

void gbench_resume_timing(struct gbench_state *s)
{
	s->st->ResumeTiming();
}

}
