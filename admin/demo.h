/* The demo generator's shared parts (admin/demo*.c only): the random
 * numbers, the generation state and the steps.  demo.c owns the command,
 * the people and the accounts; demo_deals.c the deals, their history,
 * reviews and activities; demo_buy.c the purchases; demo_rand.c the
 * random numbers. */
#ifndef CRMX_DEMO_H
#define CRMX_DEMO_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct pgcopy;

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- deterministic random numbers (demo_rand.c) ---- */

struct rng { uint64_t s[4]; };

void	 rng_seed(struct rng *, uint64_t seed);
uint64_t rng_next(struct rng *);
double	 unif(struct rng *);			/* in (0, 1) */
uint32_t pick(struct rng *, uint32_t n);	/* in [0, n) */
int	 chance(struct rng *, double p);
double	 normal(struct rng *);
double	 lognormal(struct rng *, double mu, double sigma);
double	 expo(struct rng *, double mean);
double	 gamma_draw(struct rng *, double shape, double scale);
double	 beta_draw(struct rng *, double a, double b);

/* ---- generation state ---- */

struct demo_opts {
	long	 accounts, opportunities, revenue_rows, activities;
	uint64_t seed;
	int32_t	 anchor;		/* day number: "today" of the data */
	int	 force;
};

struct user_info {
	int64_t	 id;
	int	 region, team;
	double	 skill;		/* the rep's effect on a deal's odds (logit) */
	double	 diligence;	/* chance of writing a review at each stage */
};

/* What the deals need to know of an account. */
struct acct_info {
	int64_t	 created;	/* epoch seconds */
	int64_t	 dm_contact;	/* the decision maker's contact id, 0 when none */
	double	 value;		/* size factor, 0 for prospects */
	uint32_t rep;		/* index into gen.reps */
	uint8_t	 has_dm, dm_reached;
};

/* A deal's walk through the funnel. */
struct deal {
	int64_t	 entered[6];	/* when it entered rank k, 0 when never */
	int64_t	 created, end;	/* end: closed, or the anchor's evening */
	long	 acct;
	double	 amount;
	double	 engage;	/* activity rate factor */
	int32_t	 exp_close;
	uint8_t	 rank, won, lost, src, why, reviewed;	/* reviewed: bit k for rank k */
};

struct gen {
	struct demo_opts	 o;
	struct rng		 r;
	PGconn			*conn;
	long			 n_reps, n_teams;
	struct user_info	*reps;
	struct acct_info	*acct;		/* 1..accounts */
	struct deal		*deals;		/* 1..opportunities */
	int64_t			 rows_total;
};

int64_t	 day_to_ts(int32_t day);
int64_t	 office_time(struct gen *, int32_t day);
void	 ts_field(struct pgcopy *, int64_t ts);
void	 date_field(struct pgcopy *, int32_t day);
void	 rep_login(const struct gen *, uint32_t rep, char *buf, size_t len);

int	 gen_deals(struct gen *);		/* demo_deals.c */
int	 gen_activities(struct gen *);
int	 gen_revenue(struct gen *);		/* demo_buy.c */

#endif
