/*
 * fuzz_flagsfile.c - libFuzzer harness for flagsfile_expand().  Not built
 * by default; by hand:
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *	    -D_GNU_SOURCE -Isrc $(pkg-config --cflags libbsd-overlay) \
 *	    tests/fuzz/fuzz_flagsfile.c src/argv/flagsfile*.c \
 *	    src/gcloud/stdinbuf.c \
 *	    $(pkg-config --libs yaml-0.1 libbsd-overlay) -o fuzz_flagsfile
 *	./fuzz_flagsfile -max_total_time=120 -dict=... \
 *	    tests/fuzz/corpus/flagsfile
 *
 * The input is written to a file "f" in a private directory (so a file
 * can name itself, or "g", a small second file, with --flags-file) and
 * expanded.  Besides memory errors and leaks it checks the shape of the
 * result: a failure leaves a message; a success has n words, NULL after
 * them, and every structured value right after an entry word.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv/flagsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) { fprintf(stderr, "%s\n", #x); \
			    abort(); } } while (0)

static void
setup(void)
{
	static int done;
	char tmpl[] = "/tmp/fuzz_flagsfile.XXXXXX";
	FILE *fp;

	if (done++)
		return;
	CHECK(mkdtemp(tmpl) != NULL);
	CHECK(chdir(tmpl) == 0);
	CHECK((fp = fopen("g", "w")) != NULL);
	fputs("--image: from/g\n--flags-file: [h]\n", fp);
	fclose(fp);
	CHECK((fp = fopen("h", "w")) != NULL);
	fputs("- a: 1\n- b: [x, {y: z}]\n", fp);
	fclose(fp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = { "x", "--flags-file=f", "--", "--flags-file", "g",
	    NULL };
	struct flagsfile_words w;
	char err[512];
	FILE *fp;
	int i;

	setup();
	CHECK((fp = fopen("f", "w")) != NULL);
	CHECK(fwrite(data, 1, size, fp) == size);
	fclose(fp);
	err[0] = '\0';
	if (flagsfile_expand(argv, 5, &w, err, sizeof(err)) < 0) {
		CHECK(err[0] != '\0');
	} else {
		CHECK(w.n >= 3 && w.v[w.n] == NULL);
		CHECK(strcmp(w.v[0], "x") == 0);
		for (i = 0; i < w.n; i++) {
			CHECK(w.v[i] != NULL);
			CHECK(w.kind[i] <= FLAGSFILE_STRUCT);
			if (w.kind[i] == FLAGSFILE_STRUCT)
				CHECK(i > 0 && w.kind[i - 1] ==
				    FLAGSFILE_ENTRY);
		}
	}
	flagsfile_free(&w);
	return 0;
}
