/*
 * read_json.c - addr.json (`ip -d -j addr show`), route.json (`ip -j
 * route show table all`) and rule.json (`ip -j rule show`), read with
 * json-c. A syntax error is placed at its line and column; a value of
 * the wrong shape is named by its JSON path ("[2].addr_info[0].
 * prefixlen"), since json-c keeps no positions. addr.json's inet6
 * addresses go beside the IPv4 ones; route.json's IPv6 routes are
 * skipped (route6.json, `ip -j -6 route show table all`, holds them, and
 * rule6.json the IPv6 policy rules).
 */
#include "host_int.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* One reader's state: where errors go and the path to the value read. */
struct jr {
	struct ipts_hostdesc *h;
	const struct ipts_source *src;
	struct ipts_diags *d;
	int nerr;
};

__attribute__((format(printf, 3, 4)))
static void jerr(struct jr *r, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	host_err(r->d, r->src, 0, 0, 0, 0, "%s: %s", path, msg);
	r->nerr++;
}

/* Parse the whole source; NULL with an error at line:col. */
static struct json_object *parse(struct jr *r)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	enum json_tokener_error e;
	size_t end, i, line = 1, col = 1;

	if (!tok)
		ipts_oom();
	o = json_tokener_parse_ex(tok, r->src->buf, (int)r->src->len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (o && e == json_tokener_success)
		while (end < r->src->len &&
		       strchr(" \t\r\n", r->src->buf[end]))
			end++;
	if (!o || e != json_tokener_success || end < r->src->len) {
		const char *why = !o && e == json_tokener_continue ?
			"unexpected end of file" :
			o ? "text after the JSON value" :
			json_tokener_error_desc(e);

		if (end > r->src->len)
			end = r->src->len;
		for (i = 0; i < end; i++) {
			if (r->src->buf[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		host_err(r->d, r->src, (uint32_t)end, (uint32_t)line,
			 (uint32_t)col, 1, "invalid JSON: %s", why);
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	return o;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A string member, or NULL (absent); an error when not a string. */
static const char *str_member(struct jr *r, struct json_object *o,
			      const char *key, const char *path)
{
	struct json_object *v = member(o, key);

	if (!v)
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		jerr(r, path, "'%s' is not a string", key);
		return NULL;
	}
	return json_object_get_string(v);
}

/* An integer member from @min to @max; @dflt when absent. */
static int64_t int_member(struct jr *r, struct json_object *o,
			  const char *key, const char *path, int64_t min,
			  int64_t max, int64_t dflt)
{
	struct json_object *v = member(o, key);
	int64_t n;

	if (!v)
		return dflt;
	n = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || n < min || n > max) {
		jerr(r, path, "'%s' is %s, not an integer from %lld to %lld",
		     key, json_object_to_json_string(v), (long long)min,
		     (long long)max);
		return dflt;
	}
	return n;
}

static int ipv4(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (!s || inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = in.s_addr;
	return 0;
}

/* "global" "site" "link" "host" "nowhere", or a number (rt_scope_t). */
static int scope_of(struct jr *r, struct json_object *o, const char *path,
		    int dflt)
{
	static const struct {
		const char *name;
		int scope;
	} names[] = {
		{ "global", IPTS_SCOPE_UNIVERSE }, { "universe", 0 },
		{ "site", IPTS_SCOPE_SITE }, { "link", IPTS_SCOPE_LINK },
		{ "host", IPTS_SCOPE_HOST }, { "nowhere", IPTS_SCOPE_NOWHERE },
	};
	struct json_object *v = member(o, "scope");
	const char *s;
	size_t i;

	if (!v)
		return dflt;
	if (json_object_is_type(v, json_type_int))
		return (int)int_member(r, o, "scope", path, 0, 255, dflt);
	s = str_member(r, o, "scope", path);
	if (!s)
		return dflt;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].scope;
	jerr(r, path, "unknown scope '%s'", s);
	return dflt;
}

static bool has_flag(struct json_object *o, const char *flag)
{
	struct json_object *f = member(o, "flags");
	size_t i, n;

	if (!f || !json_object_is_type(f, json_type_array))
		return false;
	n = json_object_array_length(f);
	for (i = 0; i < n; i++) {
		const char *s =
			json_object_get_string(json_object_array_get_idx(f, i));

		if (s && strcmp(s, flag) == 0)
			return true;
	}
	return false;
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	/* dev_valid_name() */
	if (n == 0 || n >= IPTS_HOST_IFNAMSIZ || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	return strcspn(s, "/: \t\n") == n;
}

static bool true_member(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	return v && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

/* An inet6 entry of addr_info. */
static void read_addr6(struct jr *r, int dev, struct json_object *a,
		       const char *path)
{
	struct ipts_host_addr6 x = { .origin = IPTS_HOST_DIR };
	const char *local = str_member(r, a, "local", path);
	struct json_object *pl = member(a, "preferred_life_time");
	int64_t plen;

	if (!local || inet_pton(AF_INET6, local, &x.local) != 1) {
		jerr(r, path, "'local' is %s, not an IPv6 address",
		     local ? local : "missing");
		return;
	}
	plen = int_member(r, a, "prefixlen", path, 0, 128, -1);
	if (plen < 0) {
		if (!member(a, "prefixlen"))
			jerr(r, path, "no 'prefixlen'");
		return;
	}
	x.prefixlen = (uint8_t)plen;
	x.scope = (uint8_t)scope_of(r, a, path, IPTS_SCOPE_UNIVERSE);
	x.tentative = true_member(a, "tentative") ||
		      true_member(a, "dadfailed");
	x.deprecated = true_member(a, "deprecated") ||
		       (pl && json_object_is_type(pl, json_type_int) &&
			json_object_get_int64(pl) == 0);
	x.noprefixroute = true_member(a, "noprefixroute");
	/* its routes: route6.json's, else derived by the caller */
	host_addr6_add(r->h, dev, &x, false);
}

static void read_addr(struct jr *r, int dev, struct json_object *a,
		      const char *path, bool derive)
{
	struct ipts_host_addr x = { .origin = IPTS_HOST_DIR };
	const char *fam = str_member(r, a, "family", path);
	const char *local, *peer;
	int64_t plen;

	if (fam && strcmp(fam, "inet6") == 0) {
		read_addr6(r, dev, a, path);
		return;
	}
	if (!fam || strcmp(fam, "inet") != 0)
		return; /* another family: not modelled */
	local = str_member(r, a, "local", path);
	if (ipv4(local, &x.local) < 0) {
		jerr(r, path, "'local' is %s, not an IPv4 address",
		     local ? local : "missing");
		return;
	}
	plen = int_member(r, a, "prefixlen", path, 0, 32, -1);
	if (plen < 0) {
		if (!member(a, "prefixlen"))
			jerr(r, path, "no 'prefixlen'");
		return;
	}
	x.prefixlen = (uint8_t)plen;
	peer = str_member(r, a, "address", path);
	if (peer) {
		if (ipv4(peer, &x.peer) < 0) {
			jerr(r, path, "'address' is '%s', not an IPv4 "
			     "address", peer);
			return;
		}
		x.has_peer = x.peer != x.local;
	}
	x.scope = (uint8_t)scope_of(r, a, path, IPTS_SCOPE_UNIVERSE);
	x.secondary = member(a, "secondary") != NULL;
	host_addr_add(r->h, dev, &x, derive);
}

static void read_link(struct jr *r, struct json_object *l, const char *path,
		      bool derive)
{
	struct json_object *info = member(l, "linkinfo"), *addrs;
	const char *name = str_member(r, l, "ifname", path), *master;
	struct host_iface *f;
	int64_t idx = int_member(r, l, "ifindex", path, 1, INT32_MAX, 0);
	char sub[128];
	size_t i, n;
	int dev;

	if (!name || !valid_ifname(name)) {
		jerr(r, path, "'ifname' is %s, not an interface name",
		     name ? name : "missing");
		return;
	}
	if (host_iface_find(r->h, name) >= 0) {
		jerr(r, path, "interface '%s' twice", name);
		return;
	}
	dev = host_iface_get(r->h, name, (int)idx);
	f = &r->h->ifaces[dev];
	if (idx > 0)
		f->pub.ifindex = (int)idx;
	f->pub.up = has_flag(l, "UP");
	f->pub.loopback = has_flag(l, "LOOPBACK");
	{
		const char *lt = str_member(r, l, "link_type", path);
		const char *mac = str_member(r, l, "address", path);
		unsigned int m[6];
		char end;

		if (lt && mac && strcmp(lt, "ether") == 0 &&
		    sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1],
			   &m[2], &m[3], &m[4], &m[5], &end) == 6) {
			for (i = 0; i < 6; i++)
				f->pub.mac[i] = (uint8_t)m[i];
			f->pub.has_mac = true;
		}
	}
	master = str_member(r, l, "master", path);
	if (master)
		snprintf(f->pub.master, sizeof(f->pub.master), "%s", master);
	if (info && json_object_is_type(info, json_type_object)) {
		const char *kind = str_member(r, info, "info_kind", path);
		const char *skind = str_member(r, info, "info_slave_kind",
					       path);

		f->pub.is_bridge = kind && strcmp(kind, "bridge") == 0;
		f->pub.bridge_port = master && skind &&
				     strcmp(skind, "bridge") == 0;
	}
	addrs = member(l, "addr_info");
	if (!addrs)
		return;
	if (!json_object_is_type(addrs, json_type_array)) {
		jerr(r, path, "'addr_info' is not an array");
		return;
	}
	n = json_object_array_length(addrs);
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(addrs, i);

		snprintf(sub, sizeof(sub), "%s.addr_info[%zu]", path, i);
		if (!json_object_is_type(a, json_type_object)) {
			jerr(r, sub, "not an object");
			continue;
		}
		read_addr(r, dev, a, sub, derive);
	}
}

/* A bridge's ports: "master" naming a bridge makes one even without -d. */
static void mark_bridge_ports(struct ipts_hostdesc *h)
{
	size_t i;

	for (i = 0; i < h->nifaces; i++) {
		struct ipts_host_iface *f = &h->ifaces[i].pub;
		int m = f->master[0] ? host_iface_find(h, f->master) : -1;

		if (m >= 0 && h->ifaces[m].pub.is_bridge)
			f->bridge_port = true;
	}
}

static struct json_object *top_array(struct jr *r)
{
	struct json_object *o = parse(r);

	if (o && !json_object_is_type(o, json_type_array)) {
		host_err(r->d, r->src, 0, 1, 1, 1,
			 "expected a JSON array, as `ip -j` prints");
		json_object_put(o);
		return NULL;
	}
	return o;
}

int host_read_addr_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			bool derive, struct ipts_diags *d)
{
	struct jr r = { .h = h, .src = s, .d = d };
	struct json_object *o = top_array(&r);
	char path[32];
	size_t i, n;

	if (!o)
		return -1;
	n = json_object_array_length(o);
	for (i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(o, i);

		snprintf(path, sizeof(path), "[%zu]", i);
		if (!json_object_is_type(l, json_type_object))
			jerr(&r, path, "not an object");
		else
			read_link(&r, l, path, derive);
	}
	mark_bridge_ports(h);
	json_object_put(o);
	return r.nerr ? -1 : 0;
}

static bool is_v6(struct json_object *o)
{
	static const char *const keys[] = { "dst", "gateway", "prefsrc" };
	size_t i;

	if (member(o, "pref"))
		return true;	/* only IPv6 routes have a preference */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct json_object *v = member(o, keys[i]);
		const char *s = v ? json_object_get_string(v) : NULL;

		if (s && strchr(s, ':'))
			return true;
	}
	return false;
}

/* A route's "dev": the interface's index, added when addr.json was not
 * given; -1 after an error at @path. */
static int route_dev(struct jr *r, const char *dev, const char *path,
		     bool have_ifaces)
{
	int k = host_iface_find(r->h, dev);

	if (k >= 0)
		return k;
	if (have_ifaces) {
		jerr(r, path,
		     "'dev' is '%s', an interface addr.json "
		     "does not have",
		     dev);
		return -1;
	}
	if (!valid_ifname(dev)) {
		jerr(r, path, "'dev' is '%s', not an interface name", dev);
		return -1;
	}
	return host_iface_get(r->h, dev, 0);
}

static void read_route(struct jr *r, struct json_object *o, const char *path,
		       bool *has_local, bool have_ifaces)
{
	struct ipts_host_route x = {
		.type = IPTS_RTN_UNICAST, .table = IPTS_RT_TABLE_MAIN,
		.dev = -1, .origin = IPTS_HOST_DIR,
	};
	const char *type = str_member(r, o, "type", path);
	const char *dst = str_member(r, o, "dst", path);
	const char *gw = str_member(r, o, "gateway", path);
	const char *dev = str_member(r, o, "dev", path);
	const char *src = str_member(r, o, "prefsrc", path);
	const char *proto = str_member(r, o, "protocol", path);
	struct json_object *tv = member(o, "table");

	if (is_v6(o))
		return;
	if (type && host_parse_rtn(type, &x.type) < 0) {
		jerr(r, path, "unknown route type '%s'", type);
		return;
	}
	if (!dst || host_parse_prefix(dst, &x.dst, &x.dst_len) < 0) {
		jerr(r, path, "'dst' is %s, not an IPv4 prefix",
		     dst ? dst : "missing");
		return;
	}
	if (tv && host_parse_table(json_object_get_string(tv), &x.table) < 0) {
		jerr(r, path, "unknown table '%s'", json_object_get_string(tv));
		return;
	}
	if (x.table == IPTS_RT_TABLE_LOCAL)
		*has_local = true;
	if (gw && ipv4(gw, &x.gateway) < 0) {
		jerr(r, path, "'gateway' is '%s', not an IPv4 address", gw);
		return;
	}
	if (src && ipv4(src, &x.prefsrc) < 0) {
		jerr(r, path, "'prefsrc' is '%s', not an IPv4 address", src);
		return;
	}
	if (dev && (x.dev = route_dev(r, dev, path, have_ifaces)) < 0)
		return;
	x.metric = (uint32_t)int_member(r, o, "metric", path, 0, UINT32_MAX,
					0);
	x.scope = (uint8_t)scope_of(r, o, path, IPTS_SCOPE_UNIVERSE);
	x.proto_kernel = proto && strcmp(proto, "kernel") == 0;
	/* Multipath (ECMP) and nexthop objects: which path a flow hashes
	 * to is not ours to guess. */
	x.multipath = member(o, "nexthops") || member(o, "nhid") ||
		      member(o, "via");
	host_route_add(r->h, &x, false);
}

typedef void (*route_reader)(struct jr *r, struct json_object *o,
			     const char *path, bool *has_local,
			     bool have_ifaces);

/* route.json or route6.json: an array of routes, each read by @one. */
static int read_routes(struct ipts_hostdesc *h, const struct ipts_source *s,
		       bool have_ifaces, bool *has_local, struct ipts_diags *d,
		       route_reader one)
{
	struct jr r = { .h = h, .src = s, .d = d };
	struct json_object *o = top_array(&r);
	char path[32];
	size_t i, n;

	if (!o)
		return -1;
	n = json_object_array_length(o);
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(o, i);

		snprintf(path, sizeof(path), "[%zu]", i);
		if (!json_object_is_type(x, json_type_object))
			jerr(&r, path, "not an object");
		else
			one(&r, x, path, has_local, have_ifaces);
	}
	json_object_put(o);
	return r.nerr ? -1 : 0;
}

int host_read_route_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			 bool have_ifaces, bool *has_local,
			 struct ipts_diags *d)
{
	return read_routes(h, s, have_ifaces, has_local, d, read_route);
}

/* The selectors fib4_rule_match() knows and the host can tell. */
static int rule_prefix(struct jr *r, struct json_object *o, const char *path,
		       const char *key, const char *lenkey, bool *has,
		       uint32_t *addr, uint8_t *len)
{
	const char *s = str_member(r, o, key, path);
	int64_t l;

	if (!s || strcmp(s, "all") == 0)
		return 0;
	if (strchr(s, ':'))
		return 1;	/* an IPv6 rule */
	if (ipv4(s, addr) < 0) {
		jerr(r, path, "'%s' is '%s', not an IPv4 address", key, s);
		return -1;
	}
	l = int_member(r, o, lenkey, path, 0, 32, 32);
	*len = (uint8_t)l;
	*addr &= host_mask(*len);
	*has = true;
	return 0;
}

static void rule_text(struct host_rule *x, struct json_object *o)
{
	size_t n;

	n = (size_t)snprintf(x->text, sizeof(x->text), "%u:", x->prio);
	json_object_object_foreach(o, key, val) {
		const char *v = json_object_get_string(val), *k = key;

		if (strcmp(k, "priority") == 0 || n >= sizeof(x->text))
			continue;
		if (json_object_is_type(val, json_type_null))
			v = NULL;
		if (strcmp(k, "src") == 0)
			k = "from";
		else if (strcmp(k, "dst") == 0)
			k = "to";
		else if (strcmp(k, "table") == 0)
			k = "lookup";
		n += (size_t)snprintf(x->text + n, sizeof(x->text) - n,
				      " %s%s%s", k, v ? " " : "",
				      v ? v : "");
	}
}

static void read_rule(struct jr *r, struct json_object *o, const char *path)
{
	static const char *const known[] = {
		"priority", "src", "srclen", "dst", "dstlen", "table", "not",
		"iif", "oif", "protocol", "flags",
	};
	struct host_rule x = { 0 };
	const char *table = str_member(r, o, "table", path);
	const char *iif = str_member(r, o, "iif", path);
	const char *oif = str_member(r, o, "oif", path);
	int v6;
	size_t i;

	x.prio = (uint32_t)int_member(r, o, "priority", path, 0, UINT32_MAX,
				      0);
	v6 = rule_prefix(r, o, path, "src", "srclen", &x.has_src, &x.src,
			 &x.srclen);
	if (!v6)
		v6 = rule_prefix(r, o, path, "dst", "dstlen", &x.has_dst,
				 &x.dst, &x.dstlen);
	if (v6)
		return;
	if (table) {
		if (host_parse_table(table, &x.table) < 0) {
			jerr(r, path, "unknown table '%s'", table);
			return;
		}
		x.to_table = true;
	}
	x.invert = member(o, "not") != NULL;
	if (iif)
		snprintf(x.iif, sizeof(x.iif), "%s", iif);
	if (oif)
		snprintf(x.oif, sizeof(x.oif), "%s", oif);
	json_object_object_foreach(o, key, val) {
		(void)val;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			x.other = true;
	}
	x.is_default = x.to_table && !x.invert && !x.has_src && !x.has_dst &&
		       !x.iif[0] && !x.oif[0] && !x.other &&
		       ((x.prio == 0 && x.table == IPTS_RT_TABLE_LOCAL) ||
			(x.prio == 32766 && x.table == IPTS_RT_TABLE_MAIN) ||
			(x.prio == 32767 &&
			 x.table == IPTS_RT_TABLE_DEFAULT));
	rule_text(&x, o);
	host_rule_add(r->h, &x);
}

int host_read_rule_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			struct ipts_diags *d)
{
	struct jr r = { .h = h, .src = s, .d = d };
	struct json_object *o = top_array(&r);
	char path[32];
	size_t i, n;

	if (!o)
		return -1;
	h->nrules = 0;		/* rule.json lists all of them */
	h->rules_given = true;
	n = json_object_array_length(o);
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(o, i);

		snprintf(path, sizeof(path), "[%zu]", i);
		if (!json_object_is_type(x, json_type_object))
			jerr(&r, path, "not an object");
		else
			read_rule(&r, x, path);
	}
	json_object_put(o);
	return r.nerr ? -1 : 0;
}

/* --- IPv6: route6.json and rule6.json ---------------------------------- */

static void read_route6(struct jr *r, struct json_object *o, const char *path,
			bool *has_local, bool have_ifaces)
{
	struct ipts_host_route6 x = {
		.type = IPTS_RTN_UNICAST,
		.table = IPTS_RT_TABLE_MAIN,
		.dev = -1,
		.origin = IPTS_HOST_DIR,
	};
	const char *type = str_member(r, o, "type", path);
	const char *dst = str_member(r, o, "dst", path);
	const char *gw = str_member(r, o, "gateway", path);
	const char *dev = str_member(r, o, "dev", path);
	const char *src = str_member(r, o, "prefsrc", path);
	const char *proto = str_member(r, o, "protocol", path);
	struct json_object *tv = member(o, "table");

	if (dst && !strchr(dst, ':') && strcmp(dst, "default") != 0) {
		jerr(r, path,
		     "'dst' is %s, an IPv4 prefix: route6.json "
		     "holds `ip -j -6 route show table all`",
		     dst);
		return;
	}
	if (type && host_parse_rtn(type, &x.type) < 0) {
		jerr(r, path, "unknown route type '%s'", type);
		return;
	}
	if (!dst || host_parse_prefix6(dst, &x.dst, &x.dst_len) < 0) {
		jerr(r, path, "'dst' is %s, not an IPv6 prefix",
		     dst ? dst : "missing");
		return;
	}
	if (tv && host_parse_table(json_object_get_string(tv), &x.table) < 0) {
		jerr(r, path, "unknown table '%s'", json_object_get_string(tv));
		return;
	}
	if (x.table == IPTS_RT_TABLE_LOCAL)
		*has_local = true;
	if (gw) {
		if (inet_pton(AF_INET6, gw, &x.gateway) != 1) {
			jerr(r, path, "'gateway' is '%s', not an IPv6 address",
			     gw);
			return;
		}
		x.has_gateway = true;
	}
	if (src) {
		if (inet_pton(AF_INET6, src, &x.prefsrc) != 1) {
			jerr(r, path, "'prefsrc' is '%s', not an IPv6 address",
			     src);
			return;
		}
		x.has_prefsrc = true;
	}
	if (dev && (x.dev = route_dev(r, dev, path, have_ifaces)) < 0)
		return;
	x.metric = (uint32_t)int_member(r, o, "metric", path, 0, UINT32_MAX, 0);
	x.proto_kernel = proto && strcmp(proto, "kernel") == 0;
	x.multipath = member(o, "nexthops") || member(o, "nhid") ||
		      member(o, "via");
	host_route6_add(r->h, &x, false);
}

int host_read_route6_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			  bool have_ifaces, bool *has_local,
			  struct ipts_diags *d)
{
	return read_routes(h, s, have_ifaces, has_local, d, read_route6);
}

/* One `ip -j -6 rule` entry: default (0 local, 32766 main, "src" all
 * and nothing else) or another, kept by its words. */
static void read_rule6(struct jr *r, struct json_object *o, const char *path)
{
	struct host_rule6 x = { 0 };
	const char *table = str_member(r, o, "table", path);
	const char *src = str_member(r, o, "src", path);
	bool other = false;
	struct host_rule tmp = { 0 };

	x.prio = (uint32_t)int_member(r, o, "priority", path, 0, UINT32_MAX, 0);
	if (table && host_parse_table(table, &x.table) < 0) {
		jerr(r, path, "unknown table '%s'", table);
		return;
	}
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (strcmp(key, "priority") != 0 && strcmp(key, "src") != 0 &&
		    strcmp(key, "table") != 0)
			other = true;
	}
	x.is_default = table && !other && (!src || strcmp(src, "all") == 0) &&
		       ((x.prio == 0 && x.table == IPTS_RT_TABLE_LOCAL) ||
			(x.prio == 32766 && x.table == IPTS_RT_TABLE_MAIN));
	tmp.prio = x.prio;
	rule_text(&tmp, o);
	snprintf(x.text, sizeof(x.text), "%s", tmp.text);
	host_rule6_add(r->h, &x);
}

int host_read_rule6_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			 struct ipts_diags *d)
{
	struct jr r = { .h = h, .src = s, .d = d };
	struct json_object *o = top_array(&r);
	char path[32];
	size_t i, n;

	if (!o)
		return -1;
	h->nrules6 = 0;
	h->rules6_given = true;
	n = json_object_array_length(o);
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(o, i);

		snprintf(path, sizeof(path), "[%zu]", i);
		if (!json_object_is_type(x, json_type_object))
			jerr(&r, path, "not an object");
		else
			read_rule6(&r, x, path);
	}
	json_object_put(o);
	return r.nerr ? -1 : 0;
}
