// SPDX-License-Identifier: MIT
/*
 * What the RPC channels share: the libraries they load, and the private
 * directory their sockets live in.
 *
 * The RPC libraries (libdbus-1, libgrpc, libzmq) are loaded when a channel
 * first needs them, not linked: a program using libkipc does not pull in
 * gRPC's thirty libraries, and runs where they are not installed, where
 * those channels say why they cannot run.
 *
 * dlopen() is referred to weakly, so a statically linked program does not
 * drag glibc's static dlopen in (which would load a second libc beside its
 * own): there the pointer is NULL (or, where something else pulled it in,
 * the kernel started no program interpreter), and that is the reason.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "chan.h"

extern __typeof__(dlopen) dlopen __attribute__((weak));
extern __typeof__(dlsym) dlsym __attribute__((weak));
extern __typeof__(dlerror) dlerror __attribute__((weak));

/* Guards every library's funcs[] and why[]: each is loaded once. */
static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

const char *chan_lib_unavailable(struct chan_lib *lib)
{
	const char *why = NULL;
	void *h;
	size_t i;

	pthread_mutex_lock(&dl_lock);
	if (lib->why[0] || lib->funcs[0])
		goto out;
	/* No program interpreter (AT_BASE 0): statically linked. */
	if (!dlopen || !getauxval(AT_BASE)) {
		snprintf(lib->why, sizeof(lib->why),
			 "a statically linked program cannot load %s",
			 lib->soname);
		goto out;
	}
	/* Kept loaded for the process's life: its threads may outlive us. */
	h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!h) {
		snprintf(lib->why, sizeof(lib->why), "%s", dlerror());
		goto out;
	}
	for (i = 0; i < lib->count; i++) {
		lib->funcs[i] = dlsym(h, lib->names[i]);
		if (!lib->funcs[i]) {
			snprintf(lib->why, sizeof(lib->why), "%s has no %s",
				 lib->soname, lib->names[i]);
			lib->funcs[0] = NULL;
			goto out;
		}
	}
out:
	if (lib->why[0]) {
		errno = ENODEV;
		why = lib->why;
	}
	pthread_mutex_unlock(&dl_lock);
	return why;
}

int chan_rundir_make(char *dir, size_t len, const char *tag)
{
	const char *tmp = getenv("TMPDIR");

	if ((size_t)snprintf(dir, len, "%s/kipc-%s-XXXXXX",
			     tmp && *tmp ? tmp : "/tmp", tag) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) ? 0 : -1;
}

void chan_rundir_remove(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int err = errno;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
	errno = err;
}
