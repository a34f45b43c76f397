// SPDX-License-Identifier: MIT
/*
 * chan_echo MECH [MESSAGE...]: send each MESSAGE to a child over the
 * mechanism named MECH and print what the child sends back, upper-cased.
 * The same program runs over every mechanism libkipc knows (eventfd
 * carries no payload, so its replies are empty; signal carries 8 bytes):
 *
 *   $ chan_echo posix-mq hello world
 *   $ chan_echo kipc-pipe hello world      (needs the kipc module)
 *
 * Two channels make the request/reply pair: one to the child, one back.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kipc_chan.h>

/* The child was forked after argv was parsed: it knows how many come. */
static int child(struct kipc_chan *req, struct kipc_chan *rep, int count)
{
	size_t max = kipc_chan_max_msg(req);
	char *buf = malloc(max ? max : 1);
	ssize_t n, i;

	if (!buf || kipc_chan_attach(req, KIPC_CHAN_RECEIVER) ||
	    kipc_chan_attach(rep, KIPC_CHAN_SENDER))
		return 1;
	while (count--) {
		n = kipc_chan_recv(req, buf, max, NULL);
		if (n < 0)
			return 1;
		for (i = 0; i < n; i++)
			buf[i] = toupper((unsigned char)buf[i]);
		if (kipc_chan_send(rep, buf, n, 0))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct kipc_chan *req, *rep;
	char buf[8192];
	int i, status;
	ssize_t n;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: chan_echo MECH [MESSAGE...]\n");
		return 2;
	}
	req = kipc_chan_open(argv[1], NULL);
	rep = kipc_chan_open(argv[1], NULL);
	if (!req || !rep) {
		fprintf(stderr, "chan_echo: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(child(req, rep, argc - 2));
	if (pid < 0 || kipc_chan_attach(req, KIPC_CHAN_SENDER) ||
	    kipc_chan_attach(rep, KIPC_CHAN_RECEIVER)) {
		perror("chan_echo");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (len > kipc_chan_max_msg(req))
			len = kipc_chan_max_msg(req);	/* signal: 8 bytes */
		if (kipc_chan_send(req, argv[i], len, 0) ||
		    (n = kipc_chan_recv(rep, buf, sizeof(buf), NULL)) < 0) {
			perror("chan_echo");
			return 1;
		}
		printf("%.*s\n", (int)n, buf);
	}
	waitpid(pid, &status, 0);
	kipc_chan_close(req);
	kipc_chan_close(rep);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
