/*
 * xt.c - libxtables' doors, and one rule line through them. The parts of
 * a rule's parse are the other parser/xt*.c files (xt_int.h lists them);
 * this one holds what stands between them and libxtables:
 *
 *  - init: the pinned extension directory, the globals, compat_rev that
 *    answers without asking the kernel;
 *  - exit_err, which libxtables calls noreturn: it lands here as a
 *    diagnostic and a siglongjmp back into ipts_xt_parse();
 *  - what extensions print on stderr, which becomes warnings at the rule;
 *  - the libc calls libxtables makes for names (getaddrinfo(), getpwnam(),
 *    getgrnam(), getnetbyname()), interposed and answered offline;
 *  - extension names, which libxtables turns into paths to dlopen().
 *
 * Only parser/xt*.c include <xtables.h> (tests/lint/includes.sh checks).
 */
#include "xt_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xtables.h>

struct ipts_xt_state xt;
struct ipts_xt_naming naming;

/* -- libxtables' doors ------------------------------------------------- */

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

const struct ipts_loc *ipts_xt_cur_loc(void)
{
	if (xt.cl && xt.cur >= 0 && xt.cur < xt.cl->argc)
		return &xt.cl->locs[xt.cur];
	return xt.line_loc;
}

/*
 * Extensions (libxt_tcp, _multiport, _iprange, _DNAT...) and libxtables'
 * own option parsers read an argument in a copy (xtables_strdup()) they
 * free after its last check; a bad one calls exit_err() naming the part
 * at fault, a pointer into the copy, and the longjmp out left the copy
 * behind: a few bytes a bad line (twice with the fast path's trial).
 * xtables_strdup() is interposed and notes the line's copies; exit_err()
 * frees the one a string argument of its message points into, alive as
 * its words are being printed. Any other copy is left to its owner.
 */
#define NDUPS 4
static struct {
	char *p;
	size_t len; /* with its NUL */
	int word; /* xt.cur when it was made: the argument it copies */
} dups[NDUPS];
static unsigned int ndups; /* the newest in dups[(ndups - 1) % NDUPS] */

char *xtables_strdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		ipts_oom();
	dups[ndups % NDUPS].p = p;
	dups[ndups % NDUPS].len = strlen(p) + 1;
	dups[ndups % NDUPS].word = xt.cur;
	ndups++;
	return p;
}

/* Free the newest copy @s points into, if any; forget it. */
static bool dup_free_at(const char *s)
{
	unsigned int i, k;

	for (i = 0; s && i < NDUPS && i < ndups; i++) {
		k = (ndups - 1 - i) % NDUPS;
		if (dups[k].p && s >= dups[k].p &&
		    s < dups[k].p + dups[k].len) {
			free(dups[k].p);
			dups[k].p = NULL;
			return true;
		}
	}
	return false;
}

/*
 * The messages that name no part of the copy but come, in libxt_tcp,
 * _sctp and _multiport (iptables 1.8), between the copy of a port list
 * and its free(), with no other copy made since, and in libxt_NAT's
 * parse_to() between the copy of --to-destination or --to-source and its
 * free() (a port without -p tcp, udp, sctp or dccp; a port:port; a
 * bracket on IPv4): the newest copy is alive when it was made from the
 * argument being parsed. NAT's --to-ports raises the same port messages
 * on the argument itself, with no copy of its own: a copy of an earlier
 * word is its owner's (freed already), and stays untouched.
 */
static bool names_live_copy(const char *fmt)
{
	static const char *const after_copy[] = {
		"invalid portrange (min > max)",
		"invalid portrange specified",
		"too many ports specified",
		"Need TCP, UDP, SCTP or DCCP with port specification",
		"Invalid port:port syntax - use dash",
		"Invalid address format",
	};
	size_t i;

	if (!ndups || dups[(ndups - 1) % NDUPS].word != xt.cur)
		return false;
	for (i = 0; i < sizeof(after_copy) / sizeof(after_copy[0]); i++)
		if (strcmp(fmt, after_copy[i]) == 0)
			return true;
	return false;
}

/* The %s arguments of @fmt in @ap, each freeing the copy it points
 * into (true when one did); stops at a conversion it does not know. */
static bool dups_free_named(const char *fmt, va_list ap)
{
	const char *f;
	bool freed = false;

	for (f = fmt; (f = strchr(f, '%')) != NULL;) {
		int l = 0;

		f++;
		if (*f == '%') {
			f++;
			continue;
		}
		f += strspn(f, "-+ #0'");
		if (*f == '*') {
			(void)va_arg(ap, int);
			f++;
		}
		f += strspn(f, "0123456789");
		if (*f == '.') {
			f++;
			if (*f == '*') {
				(void)va_arg(ap, int);
				f++;
			}
			f += strspn(f, "0123456789");
		}
		while (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' ||
		       *f == 't')
			l += *f++ == 'l' ? 1 : 2;
		switch (*f++) {
		case 's':
			freed |= dup_free_at(va_arg(ap, const char *));
			break;
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X':
		case 'o':
		case 'c':
			if (l == 0)
				(void)va_arg(ap, int);
			else
				(void)va_arg(ap, long long); /* 64-bit: same */
			break;
		case 'p':
			(void)va_arg(ap, void *);
			break;
		case 'f':
		case 'g':
		case 'e':
			(void)va_arg(ap, double);
			break;
		default:
			return freed;
		}
	}
	return freed;
}

/* Forget the line's copies (ipts_xt_parse()). */
static void dups_forget(void)
{
	if (!ndups)
		return; /* most lines copy nothing */
	memset(dups, 0, sizeof(dups));
	ndups = 0;
}

__attribute__((noreturn, format(printf, 2, 3)))
void ipts_xt_error(enum xtables_exittype status, const char *fmt, ...)
{
	char buf[2048], *s = buf;
	va_list ap;

	(void)status;
	if (!xt.trial) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
	}
	/* the words are printed: the copy they were read from may go */
	va_start(ap, fmt);
	if (!dups_free_named(fmt, ap) && names_live_copy(fmt))
		dup_free_at(dups[(ndups - 1) % NDUPS].p);
	va_end(ap);
	dups_forget();
	if (xt.trial)
		siglongjmp(xt.escape, 1); /* the full loop will say it */
	while (*s == '\n')
		s++;
	trim(s);
	ipts_diag_add(xt.diags, IPTS_ERROR, ipts_xt_cur_loc(), "%s", s);
	if (xt.resolver_skipped)
		ipts_diag_note(xt.diags, ipts_xt_cur_loc(), "iptsim did not "
			       "look this name up: an earlier name of the file "
			       "could not be resolved, and the resolver is not "
			       "asked again");
	xt.resolver_skipped = false;
	siglongjmp(xt.escape, 1);
}

static int xt_compat_rev(const char *name, uint8_t rev, int opt)
{
	/* Never probe the kernel: take the newest revision userspace has. */
	(void)name;
	(void)rev;
	(void)opt;
	return 1;
}

static struct xtables_globals globals = {
	.option_offset = 0,
	.program_name = "iptables-restore",
	.program_version = "1.8.9",
	.orig_opts = ipts_xt_original_opts,
	.exit_err = ipts_xt_error,
	.compat_rev = xt_compat_rev,
};

/* -- warnings of the rule ---------------------------------------------- */

/*
 * libxtables' extensions print their warnings with fprintf(stderr) from
 * inside their parse callbacks ("Notice: ...", "Warning: ..."); there is
 * no other way to get them. So while ipts_xt_parse() runs, stderr is a
 * stream that appends to the rule's warning buffer, xt.warnbuf; the
 * warnings xt*.c makes itself where iptables prints one go to the same
 * buffer through ipts_xt_warn(), not through stderr. When the line is
 * done, flush_warnings() turns each line of the buffer into a warning at
 * the rule, in the order they were made. A trial that fails drops the
 * buffer (the full loop warns again), and a line that warned keeps no
 * segment in the memo (xt_fast.c), so that a later line warns too.
 */
static void warn_append(const char *buf, size_t n)
{
	if (xt.warnlen + n + 1 > xt.warncap) {
		xt.warncap = (xt.warnlen + n + 1) * 2;
		xt.warnbuf = ipts_xrealloc(xt.warnbuf, xt.warncap);
	}
	memcpy(xt.warnbuf + xt.warnlen, buf, n);
	xt.warnlen += n;
	xt.warnbuf[xt.warnlen] = '\0';
}

static ssize_t capture_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	warn_append(buf, n);
	return (ssize_t)n;
}

/* The stream stderr points at while a rule is parsed (unbuffered). */
static void open_capture(void)
{
	cookie_io_functions_t io = { .write = capture_write };

	if (xt.capture)
		return;
	xt.capture = fopencookie(NULL, "w", io);
	if (!xt.capture)
		ipts_oom();
	setvbuf(xt.capture, NULL, _IONBF, 0);
}

void ipts_xt_warn(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	warn_append(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	warn_append("\n", 1);
}

/* Each line of the buffer becomes a warning at the rule. */
static void flush_warnings(void)
{
	char *line, *next;

	if (!xt.warnlen)
		return;
	for (line = xt.warnbuf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		trim(line);
		if (*line)
			ipts_diag_add(xt.diags, IPTS_WARNING,
				      ipts_xt_cur_loc(), "%s", line);
	}
	xt.warnlen = 0;
}

/* -- init -------------------------------------------------------------- */

/* Can libxtables load extensions from @dir? Else an error at @at. */
static int check_libdir(const char *dir, const struct ipts_loc *at,
			struct ipts_diags *d)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	if (dir[0] != '/' || strchr(dir, ':')) {
		ipts_diag_add(d, IPTS_ERROR, at, "cannot use '%s' as the "
			      "xtables extension directory: not an absolute "
			      "path of one directory", dir);
		return -1;
	}
	if (stat(dir, &st) < 0) {
		ipts_diag_add(d, IPTS_ERROR, at, "cannot use '%s' as the "
			      "xtables extension directory: %s", dir,
			      strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		ipts_diag_add(d, IPTS_ERROR, at, "cannot use '%s' as the "
			      "xtables extension directory: not a directory",
			      dir);
		return -1;
	}
	/* Every rule needs the standard target: no directory without it. */
	n = snprintf(path, sizeof(path), "%s/libxt_standard.so", dir);
	if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) < 0 ||
	    !S_ISREG(st.st_mode)) {
		ipts_diag_add(d, IPTS_ERROR, at, "cannot use '%s' as the "
			      "xtables extension directory: it holds no "
			      "libxt_standard.so", dir);
		return -1;
	}
	return 0;
}

/*
 * Where libxtables looks for extensions. xtables_init() takes the
 * directory from XTABLES_LIBDIR (or IPTABLES_LIB_DIR) in the environment
 * when one is set, and load_extension() then dlopen()s
 * "<dir>/libxt_NAME.so" from it: whoever sets a CI job's environment
 * would choose the code iptsim runs. iptsim pins the directory instead:
 * the one of the libxtables it was built against (IPTS_XTABLES_LIBDIR,
 * from pkg-config), or the one given with --xtables-libdir. The
 * environment is libxtables' only way in, so the pinned directory is put
 * there, over whatever the caller had set, before xtables_init() reads it.
 */
int ipts_xt_init(const char *libdir, const struct ipts_loc *at,
		 struct ipts_diags *d)
{
	static char *pinned;

	if (!libdir)
		libdir = IPTS_XTABLES_LIBDIR;
	if (xt.inited && strcmp(pinned, libdir) == 0)
		return 0;
	/* xtables_init() would _exit(111) in a set-uid process. */
	if (getuid() != geteuid()) {
		ipts_diag_add(d, IPTS_ERROR, at, "cannot initialise "
			      "libxtables: it refuses to run set-uid");
		return -1;
	}
	if (check_libdir(libdir, at, d) < 0)
		return -1;
	if (setenv("XTABLES_LIBDIR", libdir, 1) < 0)
		ipts_oom();
	if (ipts_xt_register_init() < 0 ||
	    xtables_init_all(&globals, NFPROTO_IPV4) < 0) {
		ipts_diag_add(d, IPTS_ERROR, at, "cannot initialise "
			      "libxtables");
		return -1;
	}
	open_capture();
	free(pinned);
	pinned = ipts_xstrdup(libdir);
	xt.inited = true;
	return 0;
}

void ipts_xt_set_family(enum ipts_family family)
{
	xt.family = family;
	if (family == IPTS_FAMILY_IPV6) {
		/* The fast path knows IPv4's words only: the full loop. */
		xt.no_fast = true;
		globals.program_name = "ip6tables-restore";
	} else {
		globals.program_name = "iptables-restore";
	}
	/* afinfo: which libraries and which of their entries are found */
	xtables_set_nfproto((uint8_t)family);
	ipts_xt_register_family((uint8_t)family);
}

/* -- names ------------------------------------------------------------- */

/*
 * A rule file may name hosts, users and groups, and other entries of the
 * host's files. iptables turns them into numbers on the host that loads
 * the rules; iptsim runs elsewhere (often in CI on a stranger's file), so
 * by default it asks this machine nothing: no DNS query, no NSS, no file
 * of /etc, no bpf(). The libc calls libxtables and its extensions make
 * are interposed here and answered offline, from the firewall's own files
 * given with --hosts, --passwd and --group, or marked unknown: the
 * extension that asked gets a stand-in answer, and the rule keeps it as
 * its words (see name_misses()). -s and -d are read by offline_hosts().
 * With --resolve, the calls go to this machine, as iptables would.
 */

/* Is the rule being parsed to be answered offline? */
bool ipts_xt_offline(void)
{
	return xt.parsing && !naming.resolve;
}

void ipts_xt_ask_unknown(enum name_kind kind, const char *name)
{
	xt.asked = kind;
	xt.asked_file = NULL;
	snprintf(xt.asked_name, sizeof(xt.asked_name), "%s", name);
}

/* At most this many addresses of one name of --hosts (one rule each). */
#define HOST_ADDRS_MAX 256

/* TEST-NET-1: what an extension gets for a host whose address is unknown
 * (the rule keeps the name, never this). */
#define STAND_IN_ADDR 0xc0000201u

/* @n IPv4 addresses as getaddrinfo() returns them (freeaddrinfo() frees
 * each node, its sockaddr in the same block). */
static int addrinfo_list(const uint32_t *addrs, unsigned int n,
			 const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo *head = NULL, **tail = &head;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct addrinfo *ai = calloc(1, sizeof(*ai) +
					     sizeof(struct sockaddr_in));
		struct sockaddr_in *sin;

		if (!ai) {
			freeaddrinfo(head);
			return EAI_MEMORY;
		}
		sin = (struct sockaddr_in *)(ai + 1);
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = addrs[i];
		ai->ai_family = AF_INET;
		ai->ai_socktype = hints ? hints->ai_socktype : 0;
		ai->ai_protocol = hints ? hints->ai_protocol : 0;
		ai->ai_addrlen = sizeof(*sin);
		ai->ai_addr = (struct sockaddr *)sin;
		*tail = ai;
		tail = &ai->ai_next;
	}
	*res = head;
	return 0;
}

/* 2001:db8::1 (the documentation prefix) as getaddrinfo() returns an
 * IPv6 address, for an IPv6 host whose address is unknown offline. */
static int stand_in6(const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo *ai = calloc(1,
				     sizeof(*ai) + sizeof(struct sockaddr_in6));
	struct sockaddr_in6 *sin6;

	if (!ai)
		return EAI_MEMORY;
	sin6 = (struct sockaddr_in6 *)(ai + 1);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr.s6_addr[0] = 0x20;
	sin6->sin6_addr.s6_addr[1] = 0x01;
	sin6->sin6_addr.s6_addr[2] = 0x0d;
	sin6->sin6_addr.s6_addr[3] = 0xb8;
	sin6->sin6_addr.s6_addr[15] = 1;
	ai->ai_family = AF_INET6;
	ai->ai_socktype = hints->ai_socktype;
	ai->ai_protocol = hints->ai_protocol;
	ai->ai_addrlen = sizeof(*sin6);
	ai->ai_addr = (struct sockaddr *)sin6;
	*res = ai;
	return 0;
}

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
		      struct addrinfo **);

static gai_fn real_getaddrinfo(void)
{
	static gai_fn real;

	if (!real)
		real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	return real;
}

/* A host name, offline: the hosts file's IPv4 addresses, or unknown. */
static int offline_getaddrinfo(const char *node, const char *service,
			       const struct addrinfo *hints,
			       struct addrinfo **res, gai_fn real)
{
	struct addrinfo h = { 0 };
	uint32_t addrs[HOST_ADDRS_MAX];
	unsigned int n = 0;
	int rc;

	if (hints)
		h = *hints;
	/* A number needs nobody: the real call, told so. */
	h.ai_flags |= AI_NUMERICHOST;
	rc = real(node, service, &h, res);
	if (rc != EAI_NONAME || !*node)
		return rc;
	/* The trial never takes a name: the full loop reads the line. */
	if (xt.trial)
		return EAI_AGAIN;
	if (!hints || hints->ai_family == AF_UNSPEC ||
	    hints->ai_family == AF_INET)
		n = ipts_names_host(naming.names, node, addrs, HOST_ADDRS_MAX);
	if (n > HOST_ADDRS_MAX) {
		/* a hosts file is input too: one line must stay bounded */
		ipts_diag_add(xt.diags, IPTS_WARNING, ipts_xt_cur_loc(), "host "
			      "'%s' has %u addresses in the hosts file '%s': "
			      "only the first %u are taken", node, n,
			      naming.hosts_name, HOST_ADDRS_MAX);
		n = HOST_ADDRS_MAX;
	}
	if (!n && naming.resolve)
		return 1;		/* not in --hosts: the resolver's */
	if (!n && !ipts_xt_host_name_syntax(node))
		return EAI_NONAME;	/* nobody would resolve it */
	if (!n && hints && hints->ai_family == AF_INET6) {
		/* an IPv6 extension's host: the rule keeps the name too */
		ipts_xt_ask_unknown(NAME_HOST, node);
		return stand_in6(hints, res);
	}
	if (!n) {
		ipts_xt_ask_unknown(NAME_HOST, node);
		addrs[0] = htonl(STAND_IN_ADDR);
		n = 1;
	}
	return addrinfo_list(addrs, n, hints, res);
}

/*
 * libxtables turns every port word into a number with getaddrinfo(NULL,
 * word), numeric or not; glibc then probes the host's interfaces over
 * netlink, which is most of the cost of a large file. A plain decimal
 * port needs no host: answer it here, exactly as glibc would (same port,
 * an AF_INET result freeaddrinfo() can free), and hand every other
 * service to the real call. Host names go offline (above) unless
 * --resolve. This definition interposes libxtables' calls.
 */
int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo *ai;
	struct sockaddr_in *sin;
	unsigned long port = 0;
	const char *p;
	gai_fn real;

	if (!node && service && *service && strlen(service) <= 5 &&
	    (!hints || (hints->ai_flags & AI_CANONNAME) == 0)) {
		for (p = service; *p && isdigit((unsigned char)*p); p++)
			port = port * 10 + (unsigned long)(*p - '0');
		if (!*p && port <= 65535) {
			/* One block, as glibc allocates: freeaddrinfo() frees it. */
			ai = calloc(1, sizeof(*ai) + sizeof(*sin));
			if (!ai)
				return EAI_MEMORY;
			sin = (struct sockaddr_in *)(ai + 1);
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			ai->ai_family = AF_INET;
			ai->ai_socktype = hints ? hints->ai_socktype : 0;
			ai->ai_protocol = hints ? hints->ai_protocol : 0;
			ai->ai_addrlen = sizeof(*sin);
			ai->ai_addr = (struct sockaddr *)sin;
			*res = ai;
			return 0;
		}
	}
	real = real_getaddrinfo();
	if (!real)
		return EAI_SYSTEM;
	if (node && xt.trial)
		xt.trial_resolver = true;
	if (node && xt.parsing) {
		int rc = offline_getaddrinfo(node, service, hints, res, real);

		if (rc != 1)
			return rc;
	}
	/*
	 * --resolve: a name that cannot be resolved makes the file fail to
	 * load, and a resolver that does not answer costs seconds a name:
	 * after the first failure in a file, iptsim stops asking (the file
	 * is refused already) and says so. The trial never asks (above):
	 * the full loop does, once.
	 */
	if (node && xt.resolver_down) {
		xt.resolver_skipped = true;
		return EAI_AGAIN;
	}
	{
		int rc = real(node, service, hints, res);

		if (node && rc != 0 && rc != EAI_MEMORY)
			xt.resolver_down = true;
		if (node && rc == 0 && xt.in_hosts)
			xt.hosts_resolved = true;
		/* an extension's host (-s/-d say it in check_names()) */
		if (node && rc == 0 && xt.parsing && !xt.in_hosts) {
			xt.cl->rule_flags |= IPTS_RULE_HOSTNAMES;
			ipts_diag_add(xt.diags, IPTS_WARNING,
				      ipts_xt_cur_loc(), "'%s' was turned into "
				      "an address through this machine's "
				      "resolver: the answer holds for this "
				      "machine's names", node);
		}
		return rc;
	}
}

/* -- extension names ---------------------------------------------------- */

/*
 * libxtables turns a name into a path, "<dir>/libxt_NAME.so" and
 * "<dir>/libipt_NAME.so" (load_extension()), and dlopen()s what it finds
 * there: a name with '/' and ".." reaches any library on the machine
 * from a directory holding a libxt_* subdirectory, and runs its
 * constructor. Extension names are C identifiers' characters: iptables
 * builds each library from extensions/libxt_NAME.c, and every name and
 * real name the libraries of iptables 1.8.9 register (for every family)
 * is letters, digits and '_' ("802_3", "mark_m", "TCPOPTSTRIP"). A name
 * of other bytes is no extension anywhere: it is answered as one no
 * library has, with iptables' words, and never becomes a path.
 */
static bool ext_name_ok(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return p != name && p - name < XT_EXTENSION_MAXNAMELEN;
}

/* xtables_find_match() for a name from a file. */
struct xtables_match *ipts_xt_find_match(const char *name,
					 enum xtables_tryload tryload,
					 struct xtables_rule_match **matches)
{
	if (strlen(name) >= XT_EXTENSION_MAXNAMELEN)
		ipts_xt_error(PARAMETER_PROBLEM, "Invalid match name \"%s\" "
			      "(%u chars max)", name,
			      XT_EXTENSION_MAXNAMELEN - 1);
	/* libxtables' own spellings of icmp6, renamed before any look-up */
	if (!ext_name_ok(name) && strcmp(name, "icmpv6") != 0 &&
	    strcmp(name, "ipv6-icmp") != 0) {
		if (tryload == XTF_LOAD_MUST_SUCCEED)
			ipts_xt_error(PARAMETER_PROBLEM, "Couldn't load match "
				      "`%s':%s", name, strerror(ENOENT));
		return NULL;
	}
	return xtables_find_match(name, tryload, matches);
}

/* xtables_find_target() for a name from a file ("" is the standard one). */
struct xtables_target *ipts_xt_find_target(const char *name,
					   enum xtables_tryload tryload)
{
	if (name[0] != '\0' && !ext_name_ok(name)) {
		if (tryload == XTF_LOAD_MUST_SUCCEED)
			ipts_xt_error(PARAMETER_PROBLEM, "Couldn't load target "
				      "`%s':%s", name, strerror(ENOENT));
		return NULL;
	}
	return xtables_find_target(name, tryload);
}

/* Network names come from this machine's networks database: offline,
 * none (-s and -d then take the name as a host's). */
struct netent *getnetbyname(const char *name)
{
	static struct netent *(*real)(const char *);

	if (ipts_xt_offline())
		return NULL;
	if (!real)
		real = (struct netent *(*)(const char *))dlsym(RTLD_NEXT,
							       "getnetbyname");
	return real ? real(name) : NULL;
}

/* A uid or gid written as a number (libxt_owner also takes "A-B"). */
static bool id_numeric(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/*
 * libxt_owner asks getpwnam() (getgrnam()) first for every --uid-owner
 * (--gid-owner) word, a number too. Offline: the --passwd (--group) file,
 * else no such user for a number (the number stands), else unknown.
 */
static bool offline_id(bool user, const char *name, uint32_t *id)
{
	if (ipts_names_id(naming.names, user, name, id))
		return true;
	if (id_numeric(name) || xt.trial)
		return false;
	ipts_xt_ask_unknown(user ? NAME_USER : NAME_GROUP, name);
	*id = 0;
	return true;
}

struct passwd *getpwnam(const char *name)
{
	static struct passwd *(*real)(const char *);
	static struct passwd pw;
	uint32_t id;

	if (ipts_xt_offline() ||
	    (xt.parsing && ipts_names_id(naming.names, true, name, &id))) {
		if (!offline_id(true, name, &id))
			return NULL;
		memset(&pw, 0, sizeof(pw));
		pw.pw_name = (char *)name;
		pw.pw_uid = id;
		return &pw;
	}
	if (!real)
		real = (struct passwd *(*)(const char *))dlsym(RTLD_NEXT,
							       "getpwnam");
	return real ? real(name) : NULL;
}

struct group *getgrnam(const char *name)
{
	static struct group *(*real)(const char *);
	static struct group gr;
	uint32_t id;

	if (ipts_xt_offline() ||
	    (xt.parsing && ipts_names_id(naming.names, false, name, &id))) {
		if (!offline_id(false, name, &id))
			return NULL;
		memset(&gr, 0, sizeof(gr));
		gr.gr_name = (char *)name;
		gr.gr_gid = id;
		return &gr;
	}
	if (!real)
		real = (struct group *(*)(const char *))dlsym(RTLD_NEXT,
							      "getgrnam");
	return real ? real(name) : NULL;
}

/* -- host names -------------------------------------------------------- */

/* An address glibc's getaddrinfo() reads as a number (inet_aton()). */
bool ipts_xt_numeric_host(const char *s)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_flags = AI_NUMERICHOST };
	struct addrinfo *res = NULL;
	gai_fn real = real_getaddrinfo();

	if (!real || real(s, NULL, &hints, &res) != 0)
		return false;
	freeaddrinfo(res);
	return true;
}

/*
 * Could a resolver find @s at all? Dot-separated labels of letters,
 * digits, '-' and '_', at most 63 bytes each and 253 in all, the last not
 * all digits ("10.0.0.256" is a bad address, no name). Anything else is
 * refused with iptables' words: no host would resolve it.
 */
bool ipts_xt_host_name_syntax(const char *s)
{
	size_t label = 0, total = strlen(s);
	bool digits = true;

	if (total == 0 || total > 253)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
			digits = true;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
		if (!isdigit((unsigned char)*s))
			digits = false;
		if (++label > 63)
			return false;
	}
	return !digits || label == 0;
}

/* -- one rule ---------------------------------------------------------- */

/* Free what libxtables allocated for one rule, after success or error. */
void ipts_xt_cleanup(void)
{
	struct xtables_rule_match *mp;
	unsigned int i;

	/* A clone (-m hashlimit twice) goes with its udata: libxtables
	 * frees the clone alone. */
	for (mp = xt.matches; mp; mp = mp->next)
		if (mp->match == mp->match->next) {
			free(mp->match->udata);
			mp->match->udata = NULL;
		}
	xtables_rule_matches_free(&xt.matches);
	if (xt.target) {
		free(xt.target->t);
		xt.target->t = NULL;
		free(xt.target->udata);
		xt.target->udata = NULL;
		if (xt.target == xt.target->next)
			free(xt.target);
		xt.target = NULL;
	}
	for (i = 0; i < xt.nopaque; i++)
		free(xt.opaque[i].text);
	xt.nopaque = 0;
	/* most lines leave them all NULL: no call of free() for each */
	if (xt.saddrs || xt.smasks || xt.daddrs || xt.dmasks) {
		free(xt.saddrs);
		free(xt.smasks);
		free(xt.daddrs);
		free(xt.dmasks);
		xt.saddrs = xt.smasks = xt.daddrs = xt.dmasks = NULL;
	}
	if (xt.tmp_a || xt.tmp_m) {
		free(xt.tmp_a);
		free(xt.tmp_m);
		xt.tmp_a = xt.tmp_m = NULL;
	}
	if (xt.saddrs6 || xt.smasks6 || xt.daddrs6 || xt.dmasks6) {
		free(xt.saddrs6);
		free(xt.smasks6);
		free(xt.daddrs6);
		free(xt.dmasks6);
		xt.saddrs6 = xt.smasks6 = xt.daddrs6 = xt.dmasks6 = NULL;
	}
	xtables_free_opts(1);
}

void ipts_xt_reset_state(void)
{
	xt.matches = NULL;
	xt.target = NULL;
	xt.jumpto = NULL;
	xt.protocol = NULL;
	xt.proto_used = false;
	xt.options = 0;
	memset(xt.opt_word, 0, sizeof(xt.opt_word));
	memset(xt.opt_bang, 0, sizeof(xt.opt_bang));
	memset(xt.opt_val, 0, sizeof(xt.opt_val));
	xt.bang = -1;
	memset(&xt.fw6, 0, sizeof(xt.fw6)); /* the larger of the two */
	xt.invflags = 0;
	xt.flags = 0;
	xt.goto_set = false;
	xt.shost = xt.dhost = NULL;
	memset(xt.iniface, 0, sizeof(xt.iniface));
	memset(xt.outiface, 0, sizeof(xt.outiface));
	memset(xt.iniface_mask, 0, sizeof(xt.iniface_mask));
	memset(xt.outiface_mask, 0, sizeof(xt.outiface_mask));
	xt.pcnt = xt.bcnt = 0;
	xt.nmatch_words = 0;
	xt.nopaque = 0;
	xt.skip_line = false;
	xt.dangling_bang = false;
	xt.trial_resolver = false;
	xt.owner_seg = false;
	xt.asked = NAME_NONE;
	xt.ncalls = 0;
	xt.nmiss = 0;
	xt.in_hosts = false;
	xt.nsegs = 0;
	xt.npre = 0;
	xt.pre_next = 0;
	xt.hit_target = NULL;
	xt.built_target = NULL;
	xt.nbangs = 0;
}

int ipts_xt_parse(struct ipts_cmdline *cl, const struct ipts_loc *line_loc,
		  struct ipts_diags *d)
{
	FILE *saved_stderr;
	volatile int rc = 0;
	volatile bool fast = false;
	struct ipts_cmdline saved;
	bool resolver_down;
	int gen_end;

	if (!xt.inited && ipts_xt_init(NULL, line_loc, d) < 0)
		return -1;
	ipts_xt_reset_state();
	dups_forget();
	xt.resolver_skipped = false;
	xt.diags = d;
	xt.cl = cl;
	xt.parsing = true;
	xt.line_loc = line_loc;
	xt.cur = -1;
	cl->chain_word = cl->rulenum_word = cl->arg2_word = -1;
	cl->jump_word = -1;

	saved_stderr = stderr;
	stderr = xt.capture;
	gen_end = xt.no_fast ? -1 :
		  ipts_xt_fast_generic_end(cl->argc, cl->argv);
	xt.trial = gen_end >= 0;
	saved = *cl;
	resolver_down = xt.resolver_down;
again:
	if (sigsetjmp(xt.escape, 0) == 0) {
		if (xt.trial) {
			ipts_xt_fast_parse(cl->argc, cl->argv, gen_end);
			xt.trial = false;
			fast = true;
		} else {
			ipts_xt_parse_loop(cl->argc, cl->argv);
		}
		if (!xt.skip_line) {
			ipts_xt_loop_end();
			ipts_xt_finish(cl->argc, cl->argv);
			ipts_xt_build_entries();
			if (fast)
				ipts_xt_memo_keep(line_loc);
		} else {
			ipts_xt_cut_short();
		}
	} else if (xt.trial) {
		xt.trial = false;
		ipts_xt_undo_trial(cl, &saved, resolver_down);
		goto again;
	} else {
		rc = -1;
	}
	stderr = saved_stderr;
	flush_warnings();
	ipts_xt_cleanup();
	xt.cl = NULL;
	xt.parsing = false;
	return rc;
}
