/*
 * xt_entry.c - a parsed rule becomes entries, as do_command4() and
 * generate_entry() in iptables.c make them: the pairs of -s and -d
 * (xtables_ipparse_multiple(), or names offline), the checks that need
 * them, then one ipt_entry header per address pair over the interned
 * blobs of the matches and the target, and the mask -D compares.
 */
#include "xt_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

/* A word that only this host's resolver can turn into an address. */
static bool names_host(const char *spec)
{
	const char *p;

	for (p = spec; *p && *p != '/'; p++) {
		if (*p == ',') {
			continue;
		}
		if (!isdigit((unsigned char)*p) && *p != '.')
			return true;
	}
	return false;
}

static int match_word_at(unsigned int i)
{
	return i < xt.nmatch_words ? xt.match_word[i] : -1;
}

/* make_delete_mask(): which bytes of the entry -D compares. */
static unsigned char *delete_mask(struct ipts_cmdline *cl, size_t size,
				  size_t tsize, const struct opaque_use *ot)
{
	unsigned char *mask = ipts_arena_alloc(cl->rs->arena, size + tsize);
	struct xtables_rule_match *mp = xt.matches;
	size_t off = ipts_entry_size(xt.family);
	unsigned int k;

	memset(mask, 0xff, off);
	for (k = 0; k < xt.nmatch_words && off < size; k++) {
		const struct xt_entry_match *em;
		size_t keep;

		if (ipts_xt_is_opaque_pos(k)) {
			unsigned int i;

			for (i = 0; i < xt.nopaque; i++)
				if (xt.opaque_pos[i] == (int)k)
					break;
			keep = XT_ALIGN(sizeof(*em) + xt.opaque[i].len + 1);
			memset(mask + off, 0xff, keep);
			off += keep;
			if (xt.opaque[i].replaces && mp)
				mp = mp->next;
			continue;
		}
		if (!mp)
			break;
		keep = XT_ALIGN(sizeof(*em)) + mp->match->userspacesize;
		memset(mask + off, 0xff, keep);
		off += mp->match->m->u.match_size;
		mp = mp->next;
	}
	if (ot || cl->std_target)
		memset(mask + size, 0xff, tsize);
	else
		memset(mask + size, 0xff, XT_ALIGN(sizeof(struct xt_entry_target)) +
		       xt.target->userspacesize);
	return mask;
}

static void check_names(int word, const char *spec)
{
	if (!names_host(spec))
		return;
	xt.cl->rule_flags |= IPTS_RULE_HOSTNAMES;
	ipts_diag_add(xt.diags, IPTS_WARNING, &xt.cl->locs[word],
		      "'%s' was turned into addresses through this machine's "
		      "resolver: the answer holds for this machine's names",
		      spec);
}

/*
 * No -s (-d): iptables parses "0.0.0.0/0", which is one pair, address and
 * mask 0 (a zero mask makes xtables_ipparse_multiple() drop the name).
 */
static struct in_addr any;

/*
 * A decimal number as xtables_strtoui(base 0) reads it, up to @max: one to
 * three digits, the word's next byte for the caller to judge (a fourth
 * digit is no '.', '/' or end). Digit by digit, no loop: it runs four or
 * five times for most -s and -d.
 */
static inline const char *plain_number(const char *p, unsigned int max,
				       unsigned int *v)
{
	unsigned int d0 = (unsigned char)p[0] - '0', d1, d2, n;

	if (d0 > 9)
		return NULL;
	d1 = (unsigned char)p[1] - '0';
	if (d1 > 9) {
		n = d0;
		p += 1;
	} else if (d0 == 0) {
		return NULL; /* a leading 0 is octal to strtoul() */
	} else {
		d2 = (unsigned char)p[2] - '0';
		if (d2 > 9) {
			n = d0 * 10 + d1;
			p += 2;
		} else {
			n = d0 * 100 + d1 * 10 + d2;
			p += 3;
		}
	}
	if (n > max)
		return NULL;
	*v = n;
	return p;
}

/*
 * "A.B.C.D" or "A.B.C.D/N", plain decimals: what xtables_ipparse_multiple()
 * makes of it (one pair, the address masked), without its copies and
 * strtoul() calls. Anything else (names, lists, dotted or octal masks)
 * goes to libxtables.
 */
static bool plain_address(const char *s, struct in_addr *addr,
			  struct in_addr *mask)
{
	unsigned int part[4], bits = 32, i;
	uint32_t a, m;

	for (i = 0; i < 4; i++) {
		s = plain_number(s, 255, &part[i]);
		if (!s || *s != (i < 3 ? '.' : *s))
			return false;
		if (i < 3)
			s++;
	}
	if (*s == '/') {
		s = plain_number(s + 1, 32, &bits);
		if (!s)
			return false;
	}
	if (*s)
		return false;
	a = part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3];
	m = bits ? 0xffffffffu << (32 - bits) : 0;
	addr->s_addr = htonl(a & m);
	mask->s_addr = htonl(m);
	return true;
}

static void unknown_warn(int word, const char *name)
{
	if (naming.hosts_name)
		ipts_diag_add(xt.diags, IPTS_WARNING, &xt.cl->locs[word],
			      "host '%s' is not in the hosts file '%s': its "
			      "address is unknown, and answers that depend on "
			      "it are undetermined", name, naming.hosts_name);
	else
		ipts_diag_add(xt.diags, IPTS_WARNING, &xt.cl->locs[word],
			      "'%s' is a host name, whose address is unknown "
			      "offline: answers that depend on it are "
			      "undetermined (give the firewall's hosts file "
			      "with --hosts FILE, or --resolve to ask this "
			      "machine's resolver)", name);
}

/*
 * -s/-d with a name, offline: xtables_ipparse_multiple() element by
 * element (same splitting, same errors), each number or name of the hosts
 * file through libxtables, each other name as one pair whose address is
 * unknown: the name's number in the ruleset under a zero mask (see
 * ipts_ip_name_of()). A zero mask drops the name, as libxtables does.
 */
static void offline_hosts(const char *spec, int word, struct in_addr **own_a,
			  struct in_addr **own_m, unsigned int *n)
{
	const char *loop = spec, *next;
	unsigned int count = 0, cap = 0, i, k;
	char buf[256], *slash;
	size_t len;

	*own_a = *own_m = NULL;
	for (;;) {
		bool unknown = false;
		uint32_t addrs[1];

		while (isspace((unsigned char)*loop))
			loop++;
		next = strchr(loop, ',');
		len = next ? (size_t)(next - loop) : strlen(loop);
		if (len > sizeof(buf) - 1)
			ipts_xt_error(PARAMETER_PROBLEM, "Hostname too long");
		memcpy(buf, loop, len);
		buf[len] = '\0';
		slash = strrchr(buf, '/');
		if (slash)
			*slash = '\0';
		if (buf[0] && !ipts_xt_numeric_host(buf) &&
		    !ipts_names_host(naming.names, buf, addrs, 1)) {
			if (!ipts_xt_host_name_syntax(buf))
				ipts_xt_error(PARAMETER_PROBLEM, "host/network "
					      "`%s' not found", buf);
			/* the mask as libxtables reads it, on no name */
			char probe[sizeof(buf) + 8];

			snprintf(probe, sizeof(probe), "0.0.0.0%s%s",
				 slash ? "/" : "", slash ? slash + 1 : "");
			xtables_ipparse_multiple(probe, &xt.tmp_a, &xt.tmp_m,
						 &k);
			unknown = xt.tmp_m[0].s_addr != 0;
		} else {
			if (slash)
				*slash = '/';
			xtables_ipparse_multiple(buf, &xt.tmp_a, &xt.tmp_m,
						 &k);
		}
		if (count + k > cap) {
			cap = (count + k) * 2;
			*own_a = ipts_xrealloc(*own_a, cap * sizeof(**own_a));
			*own_m = ipts_xrealloc(*own_m, cap * sizeof(**own_m));
		}
		for (i = 0; i < k; i++) {
			(*own_a)[count + i] = xt.tmp_a[i];
			(*own_m)[count + i] = xt.tmp_m[i];
		}
		if (unknown) {
			if (slash)
				*slash = '/';
			(*own_a)[count].s_addr = htonl(ipts_ruleset_add_name(
				xt.cl->rs, buf, strlen(buf)));
			(*own_m)[count].s_addr = 0;
			slash = strrchr(buf, '/');
			if (slash)
				*slash = '\0';
			unknown_warn(word, buf);
		}
		count += k;
		free(xt.tmp_a);
		free(xt.tmp_m);
		xt.tmp_a = xt.tmp_m = NULL;
		if (!next)
			break;
		loop = next + 1;
	}
	*n = count;
}

/*
 * The pairs of -s or -d (@opt, its value at argv[@word]): in @one_a and
 * @one_m when plain, else from libxtables straight into @own_a and @own_m
 * (it may fail after allocating: ipts_xt_cleanup() frees what it finds there).
 */
static void parse_hosts(const char *spec, unsigned int opt, int word,
			struct in_addr *one_a, struct in_addr *one_m,
			struct in_addr **own_a, struct in_addr **own_m,
			struct in_addr **a, struct in_addr **m, unsigned int *n)
{
	if (!(xt.options & opt)) {
		*a = *m = &any;
		*n = 1;
		return;
	}
	xt.cur = word;
	if (!xt.no_fast && plain_address(spec, one_a, one_m)) {
		*a = one_a;
		*m = one_m;
		*n = 1;
		return;
	}
	xt.in_hosts = true;
	xt.hosts_resolved = false;
	if (!naming.resolve && names_host(spec))
		offline_hosts(spec, word, own_a, own_m, n);
	else
		xtables_ipparse_multiple(spec, own_a, own_m, n);
	xt.in_hosts = false;
	/* --resolve, and not all from --hosts */
	if (xt.hosts_resolved)
		check_names(xt.cur, spec);
	*a = *own_a;
	*m = *own_m;
}

/* An -s/-d word of an IPv6 rule holding a name, not only numbers. */
static bool names_host6(const char *spec)
{
	const char *p;

	for (p = spec; *p && *p != '/'; p++)
		if (*p != ',' && *p != ':' && *p != '.' &&
		    !isxdigit((unsigned char)*p))
			return true;
	return false;
}

/*
 * The pairs of -s or -d of an IPv6 rule: xtables_ip6parse_multiple(), as
 * ipv6_post_parse() reads them. Host names are looked up only with
 * --resolve, for now: offline, the rule is refused rather than read with
 * an address it may not have.
 */
static void parse_hosts6(const char *spec, unsigned int opt, int word,
			 struct in6_addr **own_a, struct in6_addr **own_m,
			 unsigned int *n)
{
	xt.cur = word;
	if (!(xt.options & opt))
		spec = "::0/0";
	else if (!naming.resolve && names_host6(spec))
		ipts_xt_error(PARAMETER_PROBLEM,
			      "host names in -s and -d of "
			      "an IPv6 rule are not looked up offline: give "
			      "addresses (or --resolve to ask this machine's "
			      "resolver)");
	xt.in_hosts = true;
	xt.hosts_resolved = false;
	xtables_ip6parse_multiple(spec, own_a, own_m, n);
	xt.in_hosts = false;
	if (xt.hosts_resolved)
		check_names(xt.cur, spec);
}

/* Addresses, checks that need them, then one entry per address pair. */
void ipts_xt_build_entries(void)
{
	struct ipts_cmdline *cl = xt.cl;
	struct in_addr *saddrs = NULL, *smasks = NULL;
	struct in_addr *daddrs = NULL, *dmasks = NULL;
	unsigned int ns = 0, nd = 0, i, j, k;
	struct xtables_rule_match *mp;
	size_t size, end;
	/* The line's blobs and their words, for ipts_rule_set_blobs(). */
	const struct xt_entry_match *mv[MAX_MATCHES];
	struct ipts_loc lv[MAX_MATCHES];
	const struct xt_entry_target *target;
	unsigned int nm = 0;
	/* the entry of one pair, hashed early */
	struct ipt_entry e1;
	uint32_t h1 = 0;
	bool e1_set = false;

	if (xt.family == IPTS_FAMILY_IPV6) {
		if (xt.shost)
			parse_hosts6(xt.shost, OPT_SOURCE, xt.opt_val[1],
				     &xt.saddrs6, &xt.smasks6, &ns);
		if (xt.dhost)
			parse_hosts6(xt.dhost, OPT_DESTINATION, xt.opt_val[2],
				     &xt.daddrs6, &xt.dmasks6, &nd);
	} else {
		if (xt.shost)
			parse_hosts(xt.shost, OPT_SOURCE, xt.opt_val[1],
				    &xt.src1, &xt.smsk1, &xt.saddrs, &xt.smasks,
				    &saddrs, &smasks, &ns);
		if (xt.dhost)
			parse_hosts(xt.dhost, OPT_DESTINATION, xt.opt_val[2],
				    &xt.dst1, &xt.dmsk1, &xt.daddrs, &xt.dmasks,
				    &daddrs, &dmasks, &nd);
	}
	/* ipv4_post_parse() and ipv6_post_parse() refuse the same */
	if ((ns > 1 || nd > 1) &&
	    (xt.fw.ip.invflags & (IPT_INV_SRCIP | IPT_INV_DSTIP)) &&
	    xt.family != IPTS_FAMILY_IPV6) {
		xt.cur = (xt.fw.ip.invflags & IPT_INV_SRCIP) ? xt.opt_bang[1] :
			 xt.opt_bang[2];
		ipts_xt_error(PARAMETER_PROBLEM, "! not allowed with multiple "
			      "source or destination IP addresses");
	}
	if ((ns > 1 || nd > 1) && xt.family == IPTS_FAMILY_IPV6 &&
	    (xt.fw6.ipv6.invflags & (IP6T_INV_SRCIP | IP6T_INV_DSTIP))) {
		xt.cur = (xt.fw6.ipv6.invflags & IP6T_INV_SRCIP) ?
				 xt.opt_bang[1] :
				 xt.opt_bang[2];
		ipts_xt_error(PARAMETER_PROBLEM,
			      "! not allowed with multiple "
			      "source or destination IP addresses");
	}
	if (cl->command == IPTS_CMD_REPLACE && (ns != 1 || nd != 1)) {
		xt.cur = ns != 1 ? xt.opt_val[1] : xt.opt_val[2];
		ipts_xt_error(PARAMETER_PROBLEM, "Replacement rule does not "
			      "specify a unique address");
	}
	ipts_xt_generic_opt_check(cl->command, xt.options);
	if (cl->chain && strlen(cl->chain) >= XT_EXTENSION_MAXNAMELEN) {
		xt.cur = cl->chain_word;
		ipts_xt_error(PARAMETER_PROBLEM, "chain name `%s' too long "
			      "(must be under %u chars)", cl->chain,
			      XT_EXTENSION_MAXNAMELEN);
	}
	if (cl->command & (IPTS_CMD_APPEND | IPTS_CMD_DELETE |
			   IPTS_CMD_DELETE_NUM | IPTS_CMD_CHECK |
			   IPTS_CMD_INSERT | IPTS_CMD_REPLACE)) {
		/* the options first: most rules give neither -i nor -o */
		if ((xt.options & OPT_VIANAMEOUT) &&
		    (strcmp(cl->chain, "PREROUTING") == 0 ||
		     strcmp(cl->chain, "INPUT") == 0)) {
			xt.cur = xt.opt_word[8];
			ipts_xt_error(PARAMETER_PROBLEM, "Can't use -o with %s",
				      cl->chain);
		}
		if ((xt.options & OPT_VIANAMEIN) &&
		    (strcmp(cl->chain, "POSTROUTING") == 0 ||
		     strcmp(cl->chain, "OUTPUT") == 0)) {
			xt.cur = xt.opt_word[7];
			ipts_xt_error(PARAMETER_PROBLEM, "Can't use -i with %s",
				      cl->chain);
		}
	}

	if (!(cl->command & (IPTS_CMD_APPEND | IPTS_CMD_DELETE |
			     IPTS_CMD_CHECK | IPTS_CMD_INSERT |
			     IPTS_CMD_REPLACE)))
		return;

	/* do_command4(): a chain name wins over an extension of that name. */
	if (!xt.jumpto)
		xt.jumpto = "";
	xt.cur = cl->jump_word;
	if (xt.target && cl->is_chain(cl->ctx, xt.jumpto)) {
		ipts_xt_warn("Warning: using chain %s, not extension",
			     xt.jumpto);
		free(xt.target->t);
		xt.target->t = NULL;
		xt.target = NULL;
	}
	cl->jumpto = xt.jumpto; /* a word of argv, or "" */
	cl->is_goto = xt.goto_set;
	/* -j ACCEPT finds libxtables' "standard" target: a verdict. */
	cl->std_target = xt.target &&
			 strcmp(xt.target->name, "standard") == 0;
	if (xt.hit_target)
		cl->std_target = xt.hit_target->std;
	if (!xt.target && !xt.hit_target &&
	    ipts_xt_find_opaque(xt.jumpto, true) == NULL) {
		if (xt.jumpto[0] != '\0' && !cl->is_chain(cl->ctx, xt.jumpto)) {
			if (xt.goto_set)
				ipts_xt_error(PARAMETER_PROBLEM, "goto '%s' is "
					      "not a chain", xt.jumpto);
			ipts_xt_find_target(xt.jumpto, XTF_LOAD_MUST_SUCCEED);
		}
		cl->std_target = true;
	}

	/*
	 * generate_entry(): ip part, matches in order, target. Each blob is
	 * interned: every entry holding the same bytes shares one copy, and
	 * the header keeps the offsets of the kernel's contiguous entry.
	 */
	size = ipts_entry_size(xt.family);
	for (mp = xt.matches; mp; mp = mp->next)
		if (!ipts_xt_replaced(mp->match))
			size += mp->match->m->u.match_size;
	for (k = 0; k < xt.nmatch_words; k++) {
		const struct xt_entry_match *hm = xt.hit[k];

		if (hm)
			size += hm->u.match_size;
	}
	for (i = 0; i < xt.nopaque; i++)
		if (!xt.opaque[i].ext->is_target)
			size += XT_ALIGN(sizeof(struct xt_entry_match) +
					 xt.opaque[i].len + 1);
	{
		size_t tsize;
		struct opaque_use *ot = NULL;

		for (i = 0; i < xt.nopaque; i++)
			if (xt.opaque[i].ext->is_target)
				ot = &xt.opaque[i];
		if (cl->std_target)
			tsize = XT_ALIGN(sizeof(struct xt_standard_target));
		else if (ot)
			tsize = XT_ALIGN(sizeof(struct xt_entry_target) +
					 ot->len + 1);
		else if (xt.hit_target)
			tsize = ((const struct xt_entry_target *)
				 xt.hit_target->blob)->u.target_size;
		else
			tsize = xt.target->t->u.target_size;

		/* The header of a line of one address pair (most lines)
		 * hashed now: its intern slot comes into the cache while
		 * the blobs are gathered. */
		if (ns == 1 && nd == 1 && xt.family != IPTS_FAMILY_IPV6) {
			memcpy(&e1, &xt.fw, sizeof(e1));
			e1.target_offset = (uint16_t)size;
			e1.next_offset = (uint16_t)(size + tsize);
			e1.ip.src = saddrs[0];
			e1.ip.smsk = smasks[0];
			e1.ip.dst = daddrs[0];
			e1.ip.dmsk = dmasks[0];
			h1 = ipts_ruleset_intern_hash(cl->rs, &e1, sizeof(e1));
			e1_set = true;
		}
		/* Real matches and opaque ones, in the order given. */
		mp = xt.matches;
		for (k = 0; k < xt.nmatch_words; k++) {
			const struct opaque_use *ou = NULL;

			for (i = 0; i < xt.nopaque; i++)
				if (xt.opaque_pos[i] == (int)k)
					ou = &xt.opaque[i];
			if (ou) {
				uint16_t msz = (uint16_t)XT_ALIGN(
					sizeof(struct xt_entry_match) +
					ou->len + 1);
				struct xt_entry_match *em =
					ipts_xcalloc(1, msz);

				em->u.match_size = msz;
				strcpy(em->u.user.name, ou->name);
				em->u.user.revision = IPTS_OPAQUE_REVISION;
				memcpy(em->data, ou->text ? ou->text : "",
				       ou->len);
				mv[nm] = ipts_ruleset_intern(cl->rs, em, msz);
				free(em);
				cl->rule_flags |= IPTS_RULE_OPAQUE;
				if (ou->replaces && mp)
					mp = mp->next;
			} else if (xt.hit[k]) {
				/* interned when first met */
				mv[nm] = xt.hit[k];
			} else if (mp) {
				mv[nm] = ipts_ruleset_intern(cl->rs,
					mp->match->m,
					mp->match->m->u.match_size);
				mp = mp->next;
			} else {
				continue;
			}
			xt.built[k] = mv[nm];
			lv[nm++] = cl->locs[match_word_at(k) >= 0 ?
					    match_word_at(k) : 0];
		}
		if (cl->std_target) {
			union {
				struct xt_standard_target st;
				unsigned char b[XT_ALIGN(
					sizeof(struct xt_standard_target))];
			} u;

			if (xt.std_blob && xt.std_rs == cl->rs) {
				target = xt.std_blob; /* the same bytes */
			} else {
				memset(&u, 0, sizeof(u));
				u.st.target.u.target_size = (uint16_t)tsize;
				u.st.verdict = 0;
				target = ipts_ruleset_intern(cl->rs, &u, tsize);
				xt.std_blob = target;
				xt.std_rs = cl->rs;
			}
		} else if (ot) {
			struct xt_entry_target *et = ipts_xcalloc(1, tsize);

			et->u.target_size = (uint16_t)tsize;
			strcpy(et->u.user.name, ot->name);
			et->u.user.revision = IPTS_OPAQUE_REVISION;
			memcpy(et->data, ot->text ? ot->text : "", ot->len);
			target = ipts_ruleset_intern(cl->rs, et, tsize);
			free(et);
			cl->rule_flags |= IPTS_RULE_OPAQUE;
		} else if (xt.hit_target) {
			target = xt.hit_target->blob;	/* interned already */
		} else {
			target = ipts_ruleset_intern(cl->rs, xt.target->t,
						     tsize);
		}
		xt.built_target = target;
		/* The rule first: a walk finds its match table next to it. */
		cl->rule = ipts_arena_alloc(cl->rs->arena, sizeof(*cl->rule));
		cl->rule->loc = *xt.line_loc;
		cl->rule->flags = (uint8_t)cl->rule_flags;
		ipts_rule_set_blobs(cl->rs, cl->rule, mv, lv, nm, target,
				    cl->jump_word >= 0 ?
				    &cl->locs[cl->jump_word] : xt.line_loc);
		if (cl->command & (IPTS_CMD_DELETE | IPTS_CMD_CHECK))
			cl->delete_mask = delete_mask(cl, size, tsize, ot);
		end = size + tsize;
	}

	/* The file's rule limit, before the entries take memory. */
	if ((uint64_t)ns * nd > cl->rules_left) {
		cl->over_limit = true;
		cl->want_rules = (uint64_t)ns * nd;
		cl->nsrc = ns;
		cl->ndst = nd;
		cl->limit_word = ns == 1 && nd == 1 ? -1 :
				 ns >= nd ? xt.opt_val[1] : xt.opt_val[2];
		siglongjmp(xt.escape, 1);
	}
	cl->nentries = ns * nd;
	/* most lines: one pair, no array of its own */
	cl->entries = cl->nentries == 1 ?
			      &cl->entry1 :
			      ipts_xcalloc(cl->nentries, sizeof(*cl->entries));
	k = 0;
	for (i = 0; i < ns && xt.family == IPTS_FAMILY_IPV6; i++) {
		for (j = 0; j < nd; j++) {
			struct ip6t_entry e;

			memcpy(&e, &xt.fw6, sizeof(e));
			e.target_offset = (uint16_t)size;
			e.next_offset = (uint16_t)end;
			e.ipv6.src = xt.saddrs6[i];
			e.ipv6.smsk = xt.smasks6[i];
			e.ipv6.dst = xt.daddrs6[j];
			e.ipv6.dmsk = xt.dmasks6[j];
			cl->entries[k++] = ipts_ruleset_intern(cl->rs, &e,
							       sizeof(e));
		}
	}
	if (e1_set) {
		cl->entries[k++] = ipts_ruleset_intern_hashed(cl->rs, &e1,
							      sizeof(e1), h1);
		return;
	}
	for (i = 0; i < ns && xt.family != IPTS_FAMILY_IPV6; i++) {
		for (j = 0; j < nd; j++) {
			/* The header alone, interned as the blobs are. */
			struct ipt_entry e;

			memcpy(&e, &xt.fw, sizeof(e));
			e.target_offset = (uint16_t)size;
			e.next_offset = (uint16_t)end;
			e.ip.src = saddrs[i];
			e.ip.smsk = smasks[i];
			e.ip.dst = daddrs[j];
			e.ip.dmsk = dmasks[j];
			cl->entries[k++] = ipts_ruleset_intern(cl->rs, &e,
							       sizeof(e));
		}
	}
}

/*
 * -6 ends do_parse() early, and do_command4() still runs what it read:
 * chain commands take effect, a rule command resolves its target and then
 * adds or deletes nothing (no address pair was parsed).
 */
void ipts_xt_cut_short(void)
{
	struct ipts_cmdline *cl = xt.cl;

	cl->nentries = 0;
	if (cl->command == IPTS_CMD_REPLACE) {
		xt.cur = cl->chain_word;
		ipts_xt_error(PARAMETER_PROBLEM,
			      "-R cut short by -%c: "
			      "%s crashes on this line",
			      xt.family == IPTS_FAMILY_IPV6 ? '4' : '6',
			      xt.family == IPTS_FAMILY_IPV6 ?
				      "ip6tables-restore" :
				      "iptables-restore");
	}
	if (!(cl->command & (IPTS_CMD_APPEND | IPTS_CMD_DELETE |
			     IPTS_CMD_CHECK | IPTS_CMD_INSERT)))
		return;
	if (!xt.jumpto)
		xt.jumpto = "";
	xt.cur = cl->jump_word;
	if (!xt.target && ipts_xt_find_opaque(xt.jumpto, true) == NULL &&
	    xt.jumpto[0] != '\0' && !cl->is_chain(cl->ctx, xt.jumpto)) {
		if (xt.goto_set)
			ipts_xt_error(PARAMETER_PROBLEM, "goto '%s' is not a "
				      "chain", xt.jumpto);
		ipts_xt_find_target(xt.jumpto, XTF_LOAD_MUST_SUCCEED);
	}
}
