// SPDX-License-Identifier: MIT
/*
 * numa/bootparam.c - the kernel command-line grammar: space-separated
 * `param`, `param=value`, a value (or the whole `param=value`) in double
 * quotes to hold spaces; `-` and `_` are the same in parameter names.
 * Sizes take the kernel's K/M/G/T/P/E suffixes (memparse()).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "printk.h"

int parse_cmdline(const char *cmdline, boot_param_fn fn, void *arg)
{
	size_t len = cmdline ? strlen(cmdline) : 0;
	char *buf = malloc(len + 1);
	const char *s = cmdline;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	while (s && *s) {
		char *d = buf, *val = NULL;
		int in_quote = 0;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		/* Copy one argument, dropping the quotes that group it. */
		while (*s && (in_quote || !isspace((unsigned char)*s))) {
			if (*s == '"') {
				in_quote = !in_quote;
				s++;
				continue;
			}
			if (*s == '=' && !val) {
				*d++ = '\0';
				val = d;
				s++;
				continue;
			}
			*d++ = *s++;
		}
		*d = '\0';
		if (in_quote) {
			pr_err("mm_boot: unterminated quote in parameter '%s'\n", buf);
			ret = -EINVAL;
			break;
		}
		for (char *p = buf; *p; p++)
			if (*p == '-')
				*p = '_';
		ret = fn(buf, val, arg);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

int boot_param_bad(const char *param, const char *val, const char *why)
{
	pr_err("mm_boot: bad value '%s' for '%s': %s\n", val ? val : "", param, why);
	return -EINVAL;
}

int memparse_strict(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'E': case 'e': shift = 60; end++; break;
	case 'P': case 'p': shift = 50; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'K': case 'k': shift = 10; end++; break;
	default: break;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
	       unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}
