// SPDX-License-Identifier: GPL-2.0
/*
 * What the numbers were measured on: CPU, cores, kernel, whether it is a
 * virtual machine and, if so, whether QEMU emulates the CPU (TCG), which
 * makes system calls and context switches about a hundred times dearer
 * and memory copies about ten times, so ratios between syscall-bound and
 * memory-bound mechanisms shift.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256], *v;

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10))
			continue;
		v = strchr(line, ':');
		if (!v)
			break;
		v += strspn(v + 1, " \t") + 1;
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, len, "%s", v);
		break;
	}
	fclose(f);
}

/* The hypervisor's CPUID signature (leaf 0x40000000), if there is one. */
static void virt_probe(struct bench_machine *m)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	char sig[13];

	snprintf(m->virt, sizeof(m->virt), "none");
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	if (!strcmp(sig, "TCGTCGTCGTCG")) {
		snprintf(m->virt, sizeof(m->virt), "qemu-tcg");
		m->tcg = true;
	} else if (!strncmp(sig, "KVMKVMKVM", 9)) {
		snprintf(m->virt, sizeof(m->virt), "kvm");
	} else {
		snprintf(m->virt, sizeof(m->virt), "hypervisor '%s'", sig);
	}
#else
	snprintf(m->virt, sizeof(m->virt), "unknown");
#endif
}

void bench_machine_probe(struct bench_machine *m)
{
	struct utsname u;
	unsigned int abi;
	uint64_t features;
	time_t t = time(NULL);
	struct tm tm;

	memset(m, 0, sizeof(*m));
	cpu_model(m->cpu, sizeof(m->cpu));
	m->cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%.20s %.100s", u.sysname,
			 u.release);
	virt_probe(m);
	if (kipc_version(&abi, &features) == 0)
		snprintf(m->module, sizeof(m->module), "loaded (ABI %u)", abi);
	else
		snprintf(m->module, sizeof(m->module), "not loaded (%s: %s)",
			 KIPC_DEVICE_PATH, strerror(errno));
	gmtime_r(&t, &tm);
	strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
}
