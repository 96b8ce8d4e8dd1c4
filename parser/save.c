/*
 * save.c - the model as canonical iptables-save text: tables in the order
 * the kernel lists them (most recently registered first), every chain
 * line, then each rule as print_rule4() in iptables.c prints it. The
 * extensions' own text comes from their save() callbacks (xt_save.c).
 */
#include "parser_int.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

/* xtables_chain_protos: the names iptables prints without asking. */
static const struct {
	const char *name;
	uint8_t num;
} chain_protos[] = {
	{ "tcp", IPPROTO_TCP }, { "sctp", IPPROTO_SCTP },
	{ "udp", IPPROTO_UDP }, { "udplite", IPPROTO_UDPLITE },
	{ "icmp", IPPROTO_ICMP }, { "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "esp", IPPROTO_ESP }, { "ah", IPPROTO_AH },
	{ "mobility-header", IPPROTO_MH },
};

static const char *proto_to_name(uint16_t proto)
{
	struct protoent *pe;
	size_t i;

	for (i = 0; i < sizeof(chain_protos) / sizeof(chain_protos[0]); i++)
		if (chain_protos[i].num == proto)
			return chain_protos[i].name;
	/* As iptables-save: this machine's /etc/protocols names the rest. */
	pe = getprotobynumber(proto);
	return pe ? pe->p_name : NULL;
}

static void mask_to_str(const struct in_addr *mask, char *buf, size_t len)
{
	uint32_t bits = 0xfffffffeu, hmask = ntohl(mask->s_addr);
	int i = 32;

	if (mask->s_addr == 0xffffffffu) {
		snprintf(buf, len, "32");
		return;
	}
	while (--i >= 0 && hmask != bits)
		bits <<= 1;
	if (i >= 0)
		snprintf(buf, len, "%d", i);
	else
		inet_ntop(AF_INET, mask, buf, (socklen_t)len);
}

/*
 * A host name whose address iptsim does not know is printed as written
 * ("-s web1/24"): dump never prints an address the file did not hold.
 */
static void save_addr(FILE *out, char letter, const struct in_addr *addr,
		      const struct in_addr *mask, int invert,
		      const struct ipts_ruleset *rs)
{
	char abuf[INET_ADDRSTRLEN], mbuf[INET_ADDRSTRLEN];
	uint32_t name = ipts_ip_name_of(*addr, *mask);

	if (name) {
		const char *s = rs ? ipts_ruleset_name(rs, name) : NULL;

		fprintf(out, "%s -%c %s", invert ? " !" : "", letter,
			s ? s : "?");
		return;
	}
	if (!mask->s_addr && !invert && !addr->s_addr)
		return;
	inet_ntop(AF_INET, addr, abuf, sizeof(abuf));
	mask_to_str(mask, mbuf, sizeof(mbuf));
	fprintf(out, "%s -%c %s/%s", invert ? " !" : "", letter, abuf, mbuf);
}

static void save_iface(FILE *out, char letter, const char *iface,
		       const unsigned char *mask, int invert)
{
	unsigned int i;

	if (mask[0] == 0)
		return;
	fprintf(out, "%s -%c ", invert ? " !" : "", letter);
	for (i = 0; i < IFNAMSIZ; i++) {
		if (mask[i] != 0) {
			if (iface[i] != '\0')
				fputc(iface[i], out);
		} else {
			if (iface[i - 1] != '\0')
				fputc('+', out);
			break;
		}
	}
}

/* -p as print_proto() writes it: a name where /etc/protocols has one. */
static void save_proto(FILE *out, uint16_t proto, bool inv)
{
	const char *pname;

	if (proto == 0)
		return;
	pname = proto_to_name(proto);
	if (inv)
		fputs(" !", out);
	if (pname)
		fprintf(out, " -p %s", pname);
	else
		fprintf(out, " -p %u", proto);
}

static void save_ip(FILE *out, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	const struct ipts_ruleset *rs = r->chain ? r->chain->table->rs : NULL;

	save_addr(out, 's', &ip->src, &ip->smsk, ip->invflags & IPT_INV_SRCIP,
		  rs);
	save_addr(out, 'd', &ip->dst, &ip->dmsk, ip->invflags & IPT_INV_DSTIP,
		  rs);
	save_iface(out, 'i', ip->iniface, ip->iniface_mask,
		   ip->invflags & IPT_INV_VIA_IN);
	save_iface(out, 'o', ip->outiface, ip->outiface_mask,
		   ip->invflags & IPT_INV_VIA_OUT);
	save_proto(out, ip->proto, ip->invflags & XT_INV_PROTO);
	if (ip->flags & IPT_F_FRAG) {
		if (ip->invflags & IPT_INV_FRAG)
			fputs(" !", out);
		fputs(" -f", out);
	}
}

/* xtables_ip6mask_to_cidr(): the prefix length, -1 when none. */
static int mask6_to_cidr(const struct in6_addr *mask)
{
	int bits = 0, i;

	for (i = 0; i < 16; i++) {
		uint8_t b = mask->s6_addr[i];

		if (b == 0xff) {
			bits += 8;
			continue;
		}
		while (b & 0x80) {
			bits++;
			b = (uint8_t)(b << 1);
		}
		if (b)
			return -1;
		for (i++; i < 16; i++)
			if (mask->s6_addr[i])
				return -1;
		break;
	}
	return bits;
}

/* save_ipv6_addr() */
static void save_addr6(FILE *out, char letter, const struct in6_addr *addr,
		       const struct in6_addr *mask, int invert)
{
	char buf[INET6_ADDRSTRLEN];
	int l = mask6_to_cidr(mask);

	if (!invert && l == 0)
		return;
	inet_ntop(AF_INET6, addr, buf, sizeof(buf));
	fprintf(out, "%s -%c %s", invert ? " !" : "", letter, buf);
	if (l == -1) {
		inet_ntop(AF_INET6, mask, buf, sizeof(buf));
		fprintf(out, "/%s", buf);
	} else {
		fprintf(out, "/%d", l);
	}
}

/* print_rule6()'s ip part: ip6tables never sets IP6T_F_TOS, and has no
 * -f. */
static void save_ip6(FILE *out, const struct ipts_rule *r)
{
	const struct ip6t_ip6 *ip = &r->e6->ipv6;

	save_addr6(out, 's', &ip->src, &ip->smsk,
		   ip->invflags & IP6T_INV_SRCIP);
	save_addr6(out, 'd', &ip->dst, &ip->dmsk,
		   ip->invflags & IP6T_INV_DSTIP);
	save_iface(out, 'i', ip->iniface, ip->iniface_mask,
		   ip->invflags & IP6T_INV_VIA_IN);
	save_iface(out, 'o', ip->outiface, ip->outiface_mask,
		   ip->invflags & IP6T_INV_VIA_OUT);
	save_proto(out, ip->proto, ip->invflags & XT_INV_PROTO);
}

static int save_rule(FILE *out, const struct ipts_rule *r, bool counters,
		     struct ipts_diags *d)
{
	const struct xt_counters *c = ipts_rule_counters(r);

	if (counters)
		fprintf(out, "[%llu:%llu] ", (unsigned long long)c->pcnt,
			(unsigned long long)c->bcnt);
	fprintf(out, "-A %s", r->chain->name);
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6)
		save_ip6(out, r);
	else
		save_ip(out, r);
	if (ipts_xt_save_entry(out, r, d) < 0)
		return -1;
	fputc('\n', out);
	return 0;
}

char *ipts_rule_save_text(const struct ipts_rule *r)
{
	struct ipts_diags d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		ipts_oom();
	fprintf(f, "-A %s", r->chain->name);
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6)
		save_ip6(f, r);
	else
		save_ip(f, r);
	ipts_xt_save_entry(f, r, &d);
	fclose(f);
	ipts_diags_free(&d);
	return buf;
}

static int save_table(FILE *out, const struct ipts_table *t, bool counters,
		      struct ipts_diags *d)
{
	uint32_t i, j;

	fprintf(out, "*%s\n", t->name);
	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];

		if (c->hook >= 0)
			fprintf(out, ":%s %s [%llu:%llu]\n", c->name,
				c->policy == NF_DROP ? "DROP" : "ACCEPT",
				(unsigned long long)c->counters.pcnt,
				(unsigned long long)c->counters.bcnt);
		else
			fprintf(out, ":%s - [0:0]\n", c->name);
	}
	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];

		for (j = 0; j < c->nrules; j++)
			if (save_rule(out, c->rules[j], counters, d) < 0)
				return -1;
	}
	fputs("COMMIT\n", out);
	return 0;
}

int ipts_save(FILE *out, const struct ipts_ruleset *rs, bool counters,
	      struct ipts_diags *d)
{
	const struct ipts_table *order[IPTS_TABLE_COUNT];
	unsigned int n = 0, i, j;

	for (i = 0; i < IPTS_TABLE_COUNT; i++)
		if (rs->tables[i])
			order[n++] = rs->tables[i];
	/* /proc/net/ip_tables_names: the newest registration first. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && order[j]->save_rank >
				     order[j - 1]->save_rank; j--) {
			const struct ipts_table *tmp = order[j];

			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	for (i = 0; i < n; i++)
		if (save_table(out, order[i], counters, d) < 0)
			return -1;
	return 0;
}
