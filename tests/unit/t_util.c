/*
 * t_util.c - the utilities every module shares: the one file reader
 * (util_file.c) with each outcome its callers tell apart, the array
 * growth helper (util_array.c), and the small string and JSON tests.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <malloc.h>

#include <cjson/cJSON.h>

#include "util/util_array.h"
#include "util/util_file.h"
#include "util/util_json.h"
#include "util/util_str.h"

static char dir[] = "/tmp/t_util.XXXXXX";

static const char *
at(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void
put(const char *name, const char *s, size_t n)
{
	FILE *fp = fopen(at(name), "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(s, 1, n, fp), n);
	fclose(fp);
}

static void
read_ok(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	put("f", "ab\0c", 4);
	assert_int_equal(file_read(at("f"), 4, 0, &buf, &len), FILE_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "ab\0c", 5);	/* and the NUL after */
	free(buf);
	put("e", "", 0);
	assert_int_equal(file_read(at("e"), 4, FILE_REGULAR | FILE_WIPE,
	    &buf, &len), FILE_OK);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

static void
read_refusals(void **state)
{
	char *buf = (char *)1;
	size_t len = 9;

	(void)state;
	assert_int_equal(file_read(at("missing"), 4, 0, &buf, &len),
	    FILE_MISSING);
	assert_int_equal(errno, ENOENT);
	assert_null(buf);
	assert_int_equal(len, 0);
	put("f", "abcde", 5);
	assert_int_equal(file_read(at("f/x"), 4, 0, &buf, &len),
	    FILE_MISSING);
	/* one byte over the cap, regular (size) and not (reading) */
	assert_int_equal(file_read(at("f"), 4, FILE_WIPE, &buf, &len),
	    FILE_TOOBIG);
	assert_null(buf);
	assert_int_equal(file_read("/dev/zero", 4, 0, &buf, &len),
	    FILE_TOOBIG);
	assert_int_equal(file_read("/dev/null", 4, FILE_REGULAR, &buf,
	    &len), FILE_NOTREG);
	assert_int_equal(file_read("/dev/null", 4, 0, &buf, &len), FILE_OK);
	assert_int_equal(len, 0);
	free(buf);
	assert_int_equal(mkdir(at("d"), 0700), 0);
	assert_int_equal(file_read(at("d"), 4, 0, &buf, &len), FILE_ERROR);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(file_read(at("d"), 4, FILE_REGULAR, &buf, &len),
	    FILE_NOTREG);
	assert_null(buf);
}

/* A pipe that a child fills with n bytes of a pattern; its read end. */
static int
pipe_of(size_t n, pid_t *pid)
{
	int p[2];
	size_t i;
	char c;

	assert_int_equal(pipe(p), 0);
	if ((*pid = fork()) == 0) {
		close(p[0]);
		for (i = 0; i < n; i++) {
			c = (char)('a' + i % 26);
			if (write(p[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

/*
 * A block as big as the file, not as the cap: a file of a few bytes read
 * with a cap of 4 MiB takes a few bytes (a sanitizer's leak check scans
 * every block whole at every exit); a pipe's block grows to what came,
 * and stops at the cap.
 */
static void
read_sized(void **state)
{
	char *buf, path[64];
	size_t len, i, n = 100000;
	pid_t pid;
	int fd, st;

	(void)state;
	put("small", "abc", 3);
	assert_int_equal(file_read(at("small"), 4 << 20, 0, &buf, &len),
	    FILE_OK);
	assert_int_equal(len, 3);
	assert_true(malloc_usable_size(buf) < 4096);
	free(buf);
	for (i = 0; i < 2; i++) {
		fd = pipe_of(n, &pid);
		snprintf(path, sizeof(path), "/dev/fd/%d", fd);
		if (i == 0) {
			assert_int_equal(file_read(path, 1 << 20, FILE_WIPE,
			    &buf, &len), FILE_OK);
			assert_int_equal(len, n);
			assert_int_equal(buf[n - 1], 'a' + (n - 1) % 26);
			assert_int_equal(buf[n], '\0');
			assert_true(malloc_usable_size(buf) < 4 * n);
			free(buf);
		} else
			assert_int_equal(file_read(path, n - 1, 0, &buf,
			    &len), FILE_TOOBIG);
		close(fd);
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
	}
}

static void
read_fd(void **state)
{
	char buf[8];
	size_t len = 99;
	int fd;

	(void)state;
	put("f", "abcdefghij", 10);
	assert_true((fd = open(at("f"), O_RDONLY)) >= 0);
	assert_int_equal(file_read_fd(fd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(buf));	/* stops at the cap */
	assert_memory_equal(buf, "abcdefgh", 8);
	assert_int_equal(file_read_fd(fd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 2);
	close(fd);
	assert_int_equal(file_read_fd(-1, buf, sizeof(buf), &len), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(len, 0);
}

static void
grow(void **state)
{
	int *a = NULL;
	size_t n, i;

	(void)state;
	for (n = 0; n < 1000; n++) {
		assert_int_equal(array_grow(&a, n, sizeof(*a)), 0);
		a[n] = (int)n * 3;
	}
	for (i = 0; i < n; i++)
		assert_int_equal(a[i], (int)i * 3);
	free(a);
}

static void
strings(void **state)
{
	cJSON *o;

	(void)state;
	assert_false(nonempty(NULL));
	assert_false(nonempty(""));
	assert_true(nonempty("x"));
	assert_true(plainword("", 0));
	assert_true(plainword("user@example.com", 16));
	assert_true(plainword("a b", 1));	/* only n bytes count */
	assert_false(plainword("a b", 3));
	assert_false(plainword("a$b", 3));
	assert_false(plainword("a'b", 3));
	assert_false(plainword("a\"b", 3));
	assert_false(plainword("a`b", 3));
	assert_false(plainword("a\\b", 3));
	assert_false(plainword("a\x7f", 2));
	assert_false(plainword("\xc3\xa9", 2));
	o = cJSON_Parse("{\"s\":\"v\",\"n\":1,\"o\":{\"s\":\"w\"}}");
	assert_non_null(o);
	assert_string_equal(jstr(o, "s"), "v");
	assert_null(jstr(o, "n"));
	assert_null(jstr(o, "o"));
	assert_null(jstr(o, "absent"));
	assert_null(jstr(NULL, "s"));
	assert_string_equal(jstr(cJSON_GetObjectItem(o, "o"), "s"), "w");
	cJSON_Delete(o);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_ok),
		cmocka_unit_test(read_refusals),
		cmocka_unit_test(read_fd),
		cmocka_unit_test(read_sized),
		cmocka_unit_test(grow),
		cmocka_unit_test(strings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
