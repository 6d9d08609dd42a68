/* One report job: take the advisory lock of the report's as-of date, reuse
 * a run another instance computed meanwhile or compute one (engine.c),
 * then write the report (report.c).  Several reportd instances may share a
 * database: the lock makes sure only one computes a given report. */
#ifndef CRMX_JOB_H
#define CRMX_JOB_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "report.h"

/* Now, in epoch seconds with fraction (for requested_at). */
double job_now(void);

struct job_result {
	int		 ok;		/* the report is written */
	int		 computed;	/* 1: this job computed the run; 0: reused */
	int64_t		 run_id;
	double		 run_seconds;	/* metrics run (0 when reused) */
	double		 seconds;	/* the whole job */
	long		 rows_read;	/* crmx_src rows the run read */
	struct report_info report;
	char		 error[600];
};

/* Runs a job for as_of (day number).  A complete run for as_of that
 * finished at or after requested_at (epoch seconds, with fraction) — one
 * another instance computed while this one waited for the lock — is
 * reused rather than computed again.  write_report = 0 only computes. */
int job_run(const struct crmx_config *cfg, int32_t as_of, double requested_at,
            int write_report, struct job_result *r);

/* Removes the staging folders in report_dir of runs that died: those of
 * a date whose run lock no live instance holds (report_clean_staging). */
void job_clean_staging(const struct crmx_config *cfg);

#endif
