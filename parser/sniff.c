/*
 * sniff.c - is this iptables-save text at all? iptables-restore fails at
 * the first line that is neither a comment nor a '*table' line, then
 * stops; iptsim would go on and report every line. When the first lines
 * show another format (an `iptables -L` listing, `iptables -S` rules,
 * `nft list ruleset`) or no rule file at all (a
 * config file, prose), one error says what the file is and what to give
 * instead, and no source line is echoed: a file named on a command line
 * in CI may hold secrets.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "parser_int.h"

/* @s (@n bytes) starts with the word @w followed by a blank or the end. */
static bool starts_word(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);

	return n >= k && memcmp(s, w, k) == 0 &&
	       (n == k || s[k] == ' ' || s[k] == '\t');
}

/* "Chain NAME (policy ...)" or "Chain NAME (N references)". */
static bool listing_head(const char *s, size_t n)
{
	size_t i = 6;

	if (!starts_word(s, n, "Chain"))
		return false;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < n && s[i] == '(';
}

/* "table ip|ip6|inet|arp|bridge|netdev NAME {" */
static bool nft_head(const char *s, size_t n)
{
	static const char *const fams[] = { "ip", "ip6", "inet", "arp",
					     "bridge", "netdev" };
	size_t i;

	/* "table" and a blank, then the family: nothing past @n */
	if (n < 7 || !starts_word(s, n, "table"))
		return false;
	s += 6;
	n -= 6;
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (starts_word(s, n, fams[i]))
			return memchr(s, '{', n) != NULL;
	return false;
}

/* "[P:B]": counters before a rule, as iptables-save -c writes them. */
static bool counters_head(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 5 || s[0] != '[')
		return false;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i == 1 || i >= n || s[i++] != ':')
		return false;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i < n && s[i] == ']';
}

/* A first line the restore syntax can start with (if not always validly). */
static bool restore_head(const char *s, size_t n)
{
	return s[0] == '*' || s[0] == ':' || s[0] == '-' || s[0] == ' ' ||
	       s[0] == '\t' || s[0] == '\r' || starts_word(s, n, "COMMIT") ||
	       counters_head(s, n);
}

/* The first '*table' line at or after @off, or 0. */
static uint32_t first_table_line(const struct ipts_source *src, uint32_t off,
				 uint32_t line)
{
	while (off < src->len) {
		const char *s = src->buf + off;
		const char *nl = memchr(s, '\n', src->len - off);

		if (*s == '*')
			return line;
		if (!nl)
			break;
		off = (uint32_t)(nl - src->buf) + 1;
		line++;
	}
	return 0;
}

int ipts_sniff(const struct ipts_source *src, struct ipts_diags *d)
{
	uint32_t off = 0, line = 1, at;

	while (off < src->len) {
		const char *s = src->buf + off;
		const char *nl = memchr(s, '\n', src->len - off);
		size_t n = nl ? (size_t)(nl - s) : src->len - off;
		struct ipts_loc loc = { src, off, line, 1, 0 };
		const char *what;

		if (n == 0 || s[0] == '#') {
			if (!nl)
				break;
			off += (uint32_t)n + 1;
			line++;
			continue;
		}
		if (restore_head(s, n)) {
			if (s[0] != '-' || !(starts_word(s, n, "-P") ||
					     starts_word(s, n, "-N") ||
					     starts_word(s, n, "-A")))
				return 0;
			ipts_diag_add(d, IPTS_ERROR, &loc, "this looks like "
				      "`iptables -S` output: rules without "
				      "'*TABLE' and 'COMMIT' lines; give the "
				      "output of `iptables-save` instead");
			ipts_diag_hide_source(d);
			return -1;
		}
		if (listing_head(s, n))
			what = "this is an `iptables -L` listing, which leaves "
			       "out what the kernel needs; give the output of "
			       "`iptables-save` instead";
		else if (nft_head(s, n))
			what = "this is nftables text (`nft list ruleset`); "
			       "give the output of `iptables-save` instead "
			       "(on an iptables-nft host it prints the rules "
			       "made with iptables)";
		else
			what = "this is not iptables-save text: a file of "
			       "rules starts with a '*TABLE' line such as "
			       "'*filter'";
		ipts_diag_add(d, IPTS_ERROR, &loc, "%s", what);
		ipts_diag_hide_source(d);
		at = first_table_line(src, off, line);
		if (at) {
			ipts_diag_note(d, &loc, "a '*TABLE' line stands at line "
				       "%u: remove what comes before it", at);
			ipts_diag_hide_source(d);
		}
		return -1;
	}
	return 0;
}
