/*
 * test_reentrant.c - one prepared simulator context shared by threads:
 * ipts_simulate() reads the model and the context and writes only the
 * result it is given, so that answers do not depend on what other queries
 * run beside it (cmd_query may answer many lines on one context, and the
 * network-paths work adds callers). Each thread walks every query in its
 * own order and must get the answers a lone walk gets.
 */
#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sim.h"

#define NQUERIES 48
#define NTHREADS 4
#define ROUNDS 8

/* Paths through user chains, owner and state matches, NAT, recent lists
 * and a random match (undecided: every way explored, the memo used). */
static const char rules[] =
	"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
	"-A OUTPUT -p tcp --dport 8080 -j REDIRECT --to-ports 80\n"
	"-A OUTPUT -p udp --dport 5353 -j DNAT --to-destination "
	"127.0.0.2:53\n"
	"COMMIT\n"
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n:GUARD - [0:0]\n:PORTS - [0:0]\n"
	"-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
	"-A INPUT -p tcp --dport 1 -m recent --name seen --rcheck "
	"--seconds 60 -j DROP\n"
	"-A INPUT -j PORTS\n"
	"-A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset\n"
	"-A PORTS -p tcp --dport 80 -j ACCEPT\n"
	"-A PORTS -p udp --dport 53 -j ACCEPT\n"
	"-A PORTS -p tcp --dport 2000 -m statistic --mode random "
	"--probability 0.5 -j DROP\n"
	"-A PORTS -p tcp --dport 1060 -j RETURN\n"
	"-A OUTPUT -j GUARD\n"
	"-A GUARD -p tcp --dport 443 -m owner ! --uid-owner 1000 -j DROP\n"
	"-A GUARD -p tcp --dport 3306 -m owner --uid-owner 1001 -j REJECT\n"
	"-A GUARD -p udp --dport 9 -j DROP\n"
	"COMMIT\n";

struct answer {
	int rc;
	enum ipts_outcome outcome;
	unsigned int possible, npackets, branches;
	unsigned int ntrace[IPTS_MAX_PACKETS];
	char why[sizeof(((struct ipts_result *)0)->why)];
};

struct worker {
	const struct ipts_sim_ctx *ctx;
	const struct ipts_query *q;
	const struct answer *want;
	unsigned int start; /* its first query */
	unsigned int mismatches;
};

static void query_of(struct ipts_query *q, unsigned int k)
{
	static const uint16_t ports[] = { 80,	22, 443,  3306, 2000, 1060,
					  8080, 53, 5353, 9,	1,    65535 };
	static const uint32_t uids[] = { 0, 1000, 1001, 65534 };

	ipts_query_init(q);
	q->proto = (k & 1) ? IPPROTO_UDP : IPPROTO_TCP;
	q->dport = ports[k % 12];
	q->uid = uids[(k / 12) % 4];
	q->gid = q->uid;
	q->no_listener = (k % 7) == 3;
}

static void answer_of(struct answer *a, int rc, const struct ipts_result *r)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->rc = rc;
	a->outcome = r->outcome;
	a->possible = r->possible;
	a->npackets = r->npackets;
	a->branches = r->branches;
	for (i = 0; i < r->npackets && i < IPTS_MAX_PACKETS; i++)
		a->ntrace[i] = r->packets[i].ntrace;
	snprintf(a->why, sizeof(a->why), "%s", r->why);
}

static bool same(const struct answer *a, const struct answer *b)
{
	return a->rc == b->rc && a->outcome == b->outcome &&
	       a->possible == b->possible && a->npackets == b->npackets &&
	       a->branches == b->branches &&
	       memcmp(a->ntrace, b->ntrace, sizeof(a->ntrace)) == 0 &&
	       strcmp(a->why, b->why) == 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct ipts_result r;
	unsigned int round, i;

	ipts_result_init(&r);
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < NQUERIES; i++) {
			/* each thread in its own order */
			unsigned int k = (w->start + i * 7u) % NQUERIES;
			struct answer got;
			int rc = ipts_simulate(w->ctx, &w->q[k], &r);

			answer_of(&got, rc, &r);
			if (!same(&got, &w->want[k]))
				w->mismatches++;
		}
	ipts_result_free(&r);
	return NULL;
}

static void test_one_context_many_threads_same_answers(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_query q[NQUERIES];
	struct answer want[NQUERIES];
	struct worker w[NTHREADS];
	pthread_t tid[NTHREADS];
	struct ipts_sim_ctx *ctx;
	unsigned int i, outcomes = 0;

	if (!load_str(f, rules)) {
		fixture_dump_diags(f);
		fail_msg("ruleset does not load");
	}
	ctx = ipts_sim_prepare(f->rs);
	/* The answers of lone walks, each on a fresh result. */
	for (i = 0; i < NQUERIES; i++) {
		struct ipts_result r;
		int rc;

		query_of(&q[i], i);
		ipts_result_init(&r);
		rc = ipts_simulate(ctx, &q[i], &r);
		answer_of(&want[i], rc, &r);
		outcomes |= 1u << r.outcome;
		ipts_result_free(&r);
	}
	/* The queries reach several outcomes, undetermined among them. */
	assert_true(outcomes & (1u << IPTS_CONNECTED));
	assert_true(outcomes & (1u << IPTS_REFUSED));
	assert_true(outcomes & (1u << IPTS_TIMEOUT));
	assert_true(outcomes & (1u << IPTS_UNDETERMINED));

	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){
			.ctx = ctx, .q = q, .want = want, .start = i * 11u
		};
		assert_int_equal(pthread_create(&tid[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(tid[i], NULL), 0);
		assert_int_equal(w[i].mismatches, 0);
	}
	ipts_sim_free(ctx);
}

/* Two contexts of one ruleset answer alike: nothing is kept in the model
 * by a prepare, and freeing one leaves the other whole. */
static void test_two_contexts_of_one_model(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_sim_ctx *a, *b;
	unsigned int i;

	assert_non_null(load_str(f, rules));
	a = ipts_sim_prepare(f->rs);
	b = ipts_sim_prepare(f->rs);
	for (i = 0; i < NQUERIES; i++) {
		struct ipts_result ra, rb;
		struct ipts_query q;
		struct answer x, y;
		int rc;

		query_of(&q, i);
		ipts_result_init(&ra);
		ipts_result_init(&rb);
		rc = ipts_simulate(a, &q, &ra);
		answer_of(&x, rc, &ra);
		if (i == NQUERIES / 2) {
			ipts_sim_free(a);
			a = ipts_sim_prepare(f->rs);
		}
		rc = ipts_simulate(b, &q, &rb);
		answer_of(&y, rc, &rb);
		assert_true(same(&x, &y));
		ipts_result_free(&ra);
		ipts_result_free(&rb);
	}
	ipts_sim_free(a);
	ipts_sim_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_one_context_many_threads_same_answers,
			fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_two_contexts_of_one_model,
						fixture_setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
