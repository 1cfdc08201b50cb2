// SPDX-License-Identifier: MIT
/*
 * stress/jobs.c - the table of jobs: one line each, in the order of
 * `mmstress list`, the default job list and the report.  JOB(name) is the
 * struct stress_job name_job of jobs/name.c; README.md's "Writing a job"
 * says how to add one.
 */
#include <string.h>

#include "mmstress.h"

#define STRESS_JOBS(JOB)						\
	JOB(page_churn)							\
	JOB(pcp_pingpong)						\
	JOB(fragment)							\
	JOB(atomic)							\
	JOB(drain)							\
	JOB(sysctl)							\
	JOB(page_ref)							\
	JOB(slab_churn)							\
	JOB(kmalloc_mix)						\
	JOB(slab_shrink)						\
	JOB(rcu_free)							\
	JOB(mempool_starve)						\
	JOB(mempool_resize)						\
	JOB(vmalloc_churn)						\
	JOB(kmap)							\
	JOB(highmem_user)						\
	JOB(noio_nofs)							\
	JOB(anon)							\
	JOB(pagecache)							\
	JOB(dcache)							\
	JOB(oom)							\
	JOB(leak)

#define DECLARE_JOB(name)	extern const struct stress_job name##_job;
#define LIST_JOB(name)		&name##_job,

STRESS_JOBS(DECLARE_JOB)

const struct stress_job *const jobs[] = { STRESS_JOBS(LIST_JOB) };
const unsigned int nr_jobs = ARRAY_SIZE(jobs);
/* a job's index is the low byte of its tags */
BUILD_BUG_ON(ARRAY_SIZE(jobs) > MAX_JOBS || MAX_JOBS > 255);

int job_index(const char *name)
{
	for (unsigned int j = 0; j < nr_jobs; j++)
		if (!strcmp(jobs[j]->name, name))
			return (int)j;
	return -1;
}
