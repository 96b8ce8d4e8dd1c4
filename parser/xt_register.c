/*
 * xt_register.c - every family's extensions kept, whichever family
 * libxtables was set to when their library was loaded.
 *
 * An extension library registers all its entries when it is loaded:
 * libxt_NAT.so its SNAT and DNAT for IPv4 and for IPv6, libxt_conntrack.so
 * its revisions for both. libxtables 1.8.9 keeps only the entries of the
 * family it is set to at that moment and drops the others, and a library
 * is loaded once per process, so after an IPv4 file had loaded DNAT, an
 * IPv6 file's DNAT was "unknown option --to-destination" (later
 * libxtables keeps every family's entries). The four registration calls
 * are interposed here (the executables export them, see
 * parser/xt_register.list): an entry of another family is kept aside and
 * registered when ipts_xt_register_family() sets that family, as if its
 * library had been loaded then.
 */
#include "xt_int.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <xtables.h>

static struct {
	uint8_t family; /* the one libxtables is set to */
	struct xtables_match **m; /* kept aside, of other families */
	size_t nm, capm;
	struct xtables_target **t;
	size_t nt, capt;
} reg = { .family = NFPROTO_IPV4 };

typedef void (*match_fn)(struct xtables_match *);
typedef void (*target_fn)(struct xtables_target *);

static match_fn real_match;
static target_fn real_target;

int ipts_xt_register_init(void)
{
	if (!real_match)
		real_match = (match_fn)dlsym(RTLD_NEXT,
					     "xtables_register_match");
	if (!real_target)
		real_target = (target_fn)dlsym(RTLD_NEXT,
					       "xtables_register_target");
	return real_match && real_target ? 0 : -1;
}

static bool other_family(uint8_t family)
{
	return family != NFPROTO_UNSPEC && family != reg.family;
}

/* Extensions load after ipts_xt_init(), which resolved the real ones. */
void xtables_register_match(struct xtables_match *me)
{
	if (!other_family(me->family)) {
		real_match(me);
		return;
	}
	if (reg.nm == reg.capm) {
		reg.capm = reg.capm ? reg.capm * 2 : 32;
		reg.m = ipts_xrealloc(reg.m, reg.capm * sizeof(*reg.m));
	}
	reg.m[reg.nm++] = me;
}

void xtables_register_target(struct xtables_target *me)
{
	if (!other_family(me->family)) {
		real_target(me);
		return;
	}
	if (reg.nt == reg.capt) {
		reg.capt = reg.capt ? reg.capt * 2 : 32;
		reg.t = ipts_xrealloc(reg.t, reg.capt * sizeof(*reg.t));
	}
	reg.t[reg.nt++] = me;
}

/*
 * In libxtables' order, from the array's start: of the pending entries
 * of one name the first one the kernel takes wins (owner's revision 1,
 * last in its array, is found before revision 0 for IPv4).
 */
void xtables_register_matches(struct xtables_match *m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		xtables_register_match(&m[i]);
}

void xtables_register_targets(struct xtables_target *t, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		xtables_register_target(&t[i]);
}

void ipts_xt_register_family(uint8_t family)
{
	size_t i, k;

	reg.family = family;
	for (i = k = 0; i < reg.nm; i++) {
		if (reg.m[i]->family == family)
			real_match(reg.m[i]);
		else
			reg.m[k++] = reg.m[i];
	}
	reg.nm = k;
	for (i = k = 0; i < reg.nt; i++) {
		if (reg.t[i]->family == family)
			real_target(reg.t[i]);
		else
			reg.t[k++] = reg.t[i];
	}
	reg.nt = k;
}
