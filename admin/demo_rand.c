/* The demo generator's random numbers: xoshiro256** seeded by splitmix64,
 * and the few distributions the generator draws from (gamma by Marsaglia
 * and Tsang, beta as a ratio of gammas).  Deterministic for a seed. */
#include <math.h>
#include <stdint.h>

#include "demo.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
unif(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

uint32_t
pick(struct rng *r, uint32_t n)
{
	return (uint32_t)(unif(r) * n);
}

int
chance(struct rng *r, double p)
{
	return unif(r) < p;
}

double
normal(struct rng *r)
{
	return sqrt(-2.0 * log(unif(r))) * cos(2.0 * M_PI * unif(r));
}

double
lognormal(struct rng *r, double mu, double sigma)
{
	return exp(mu + sigma * normal(r));
}

double
expo(struct rng *r, double mean)
{
	return -mean * log(unif(r));
}

double
gamma_draw(struct rng *r, double shape, double scale)
{
	if (shape < 1)	/* boost: G(a) = G(a + 1) U^(1/a) */
		return gamma_draw(r, shape + 1, scale) * pow(unif(r), 1.0 / shape);
	double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		double x = normal(r), v = 1 + c * x;
		if (v <= 0)
			continue;
		v = v * v * v;
		double u = unif(r);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v * scale;
	}
}

double
beta_draw(struct rng *r, double a, double b)
{
	double x = gamma_draw(r, a, 1), y = gamma_draw(r, b, 1);
	return x / (x + y);
}
