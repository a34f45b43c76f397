// SPDX-License-Identifier: GPL-2.0
/*
 * What the numbers were measured on: CPU, cores, kernel, whether it is a
 * virtual machine and, if so, whether QEMU emulates the CPU (TCG), which
 * makes some operations far dearer than others and so shifts the ratios
 * between syscall-bound and memory-bound mechanisms. How much is not
 * claimed but measured here: the calibration times a null system call, a
 * context-switch round trip and memcpy on this machine, and the header
 * prints them beside the kernel counters each cell is explained with.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
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

/* The median of @n times. */
static double median(uint64_t *t, size_t n)
{
	size_t i, j;
	uint64_t x;

	for (i = 1; i < n; i++)		/* insertion sort: n is small */
		for (j = i; j > 0 && t[j - 1] > t[j]; j--)
			x = t[j], t[j] = t[j - 1], t[j - 1] = x;
	return t[n / 2];
}

#define CALIB_BATCHES	7

/* A null system call: the median of batches of getppid(). */
static double null_syscall_ns(void)
{
	uint64_t t[CALIB_BATCHES], t0;
	int b, i;

	for (b = 0; b < CALIB_BATCHES; b++) {
		t0 = bench_now_ns();
		for (i = 0; i < 10000; i++)
			syscall(SYS_getppid);
		t[b] = bench_now_ns() - t0;
	}
	return median(t, CALIB_BATCHES) / 10000.0;
}

/*
 * A context-switch round trip: two processes pass a byte back and forth
 * over two pipes, each blocking in read() until the other writes.
 */
static double pipe_rtt_ns(void)
{
	uint64_t t[CALIB_BATCHES], t0;
	int up[2], down[2], b, i, status;
	char c = 0;
	pid_t pid;

	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		return 0;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1 && write(up[1], &c, 1) == 1)
			;
		_exit(0);
	}
	for (b = 0; pid > 0 && b < CALIB_BATCHES; b++) {
		t0 = bench_now_ns();
		for (i = 0; i < 200; i++)
			if (write(down[1], &c, 1) != 1 || read(up[0], &c, 1) != 1)
				break;
		t[b] = bench_now_ns() - t0;
	}
	close(down[1]);
	close(up[0]);
	close(down[0]);
	close(up[1]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 0;
	return median(t, CALIB_BATCHES) / 200.0;
}

/* memcpy between two 8 MiB buffers, touched first. */
static double memcpy_mb_per_s(void)
{
	const size_t len = 8u << 20;
	uint64_t t[CALIB_BATCHES], t0;
	char *a = malloc(len), *b = malloc(len);
	int i;

	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}
	memset(a, 1, len);
	memset(b, 2, len);
	for (i = 0; i < CALIB_BATCHES; i++) {
		t0 = bench_now_ns();
		memcpy(i & 1 ? a : b, i & 1 ? b : a, len);
		t[i] = bench_now_ns() - t0;
	}
	/* The compiler must not drop the copies. */
	__asm__ volatile("" : : "r"(a), "r"(b) : "memory");
	free(a);
	free(b);
	return len / (median(t, CALIB_BATCHES) / 1e9) / 1e6;
}

void bench_machine_calibrate(struct bench_machine *m)
{
	counters_probe(&m->counters);
	m->null_syscall_ns = null_syscall_ns();
	m->pipe_rtt_ns = pipe_rtt_ns();
	m->memcpy_mb_per_s = memcpy_mb_per_s();
}
