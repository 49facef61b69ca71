/*
 * A minimal line-reading shell linked against the shared libreadline.so, for the typed-line tests of
 * the libreadline path (no bash linked to libreadline.so is packaged here). Installed under the name
 * `bash`, it is probed like such a bash: readline()/rl_newline in the library, rl_line_buffer in the
 * executable (bash refers to it, so a copy relocation puts it there; so does this program).
 * Each line is answered with "got:<line>"; `exit` or end of input ends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>

int main(void)
{
	char *line;

	while ((line = readline("rl$ ")) != NULL) {
		if (strcmp(line, "exit") == 0) {
			free(line);
			break;
		}
		/* like bash, touch rl_line_buffer from the executable */
		printf("got:%s (%zu)\n", line, rl_line_buffer ? strlen(rl_line_buffer) : (size_t)0);
		fflush(stdout);
		free(line);
	}
	return 0;
}
