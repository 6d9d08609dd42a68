/* CSRF tokens (see csrf.h): OpenSSL's HMAC, compared in constant time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "csrf.h"
#include "util.h"

static unsigned char key[64];
static size_t keylen;

int
csrf_init(const char *secret)
{
	if (secret != NULL && secret[0] != '\0') {
		/* A long secret is hashed down, as HMAC itself would. */
		unsigned int n = 0;
		if (!EVP_Digest(secret, strlen(secret), key, &n, EVP_sha256(), NULL))
			return -1;
		keylen = n;
		return 0;
	}
	keylen = 32;
	return RAND_bytes(key, (int)keylen) == 1 ? 0 : -1;
}

static void
mac_hex(const char *login, long long issued, char *hex)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	/* The whole login: a cut one would make a token good for every login
	 * sharing the prefix. */
	size_t len = strlen(login) + 48;
	char *msg = xmalloc(len);
	len = (size_t)snprintf(msg, len, "crmx-form\n%s\n%lld", login, issued);
	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, len, mac, &n);
	free(msg);
	for (unsigned int i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", mac[i]);
	hex[2 * n] = '\0';
}

void
csrf_make(const char *login, time_t now, char *out, size_t len)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	mac_hex(login, (long long)now, hex);
	snprintf(out, len, "%lld.%s", (long long)now, hex);
}

int
csrf_check(const char *login, const char *token, time_t now)
{
	if (login == NULL || token == NULL || keylen == 0)
		return -1;
	/* The issue time as csrf_make writes it: plain digits, no sign, space
	 * or leading zero (one token, one spelling). */
	size_t digits = strspn(token, "0123456789");
	if (digits == 0 || digits > 18 || token[digits] != '.' ||
	    (token[0] == '0' && digits > 1))
		return -1;
	const char *end = token + digits;
	long long issued = strtoll(token, NULL, 10);
	if (issued > (long long)now + 60 || (long long)now - issued > CSRF_TTL)
		return -1;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	mac_hex(login, issued, hex);
	size_t n = strlen(hex);
	if (strlen(end + 1) != n)
		return -1;
	return CRYPTO_memcmp(hex, end + 1, n) == 0 ? 0 : -1;
}
