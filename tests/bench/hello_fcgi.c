/* The baseline of the panel benchmark: the least a FastCGI program can do
 * behind the same nginx — accept, answer a fixed "hello", repeat — with
 * the same prefork model and worker count as crmx.fcgi.
 * usage: hello_fcgi SOCKET WORKERS */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: hello_fcgi SOCKET WORKERS\n");
		return 2;
	}
	if (FCGX_Init() != 0)
		return 1;
	unlink(argv[1]);
	int sock = FCGX_OpenSocket(argv[1], 128);
	if (sock < 0)
		return 1;
	chmod(argv[1], 0666);
	int n = atoi(argv[2]);
	for (int i = 0; i < n; i++) {
		if (fork() != 0)
			continue;
		prctl(PR_SET_PDEATHSIG, SIGTERM);	/* no orphans when the bench stops us */
		FCGX_Request rq;
		FCGX_InitRequest(&rq, sock, 0);
		while (FCGX_Accept_r(&rq) >= 0) {
			FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n"
			          "Content-Length: 6\r\n\r\nhello\n", rq.out);
			FCGX_Finish_r(&rq);
		}
		_exit(0);
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
