#include "scanner/sources/host.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"

/* Field values we keep are short; os-release PRETTY_NAME is the longest. */
#define HOST_VALUE_MAX 256

/* Copies the first line of @s, without surrounding blanks, to @out. */
static void host_first_line(const char *s, char *out, size_t n)
{
	size_t len;

	while (*s == ' ' || *s == '\t') {
		s++;
	}
	len = strcspn(s, "\r\n");
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
		len--;
	}
	if (len >= n) {
		len = n - 1;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

/* Reads a small file of the root; "" if it is missing or unreadable. */
static void host_read_line(const struct rootfs *r, const char *path, char *out, size_t n)
{
	struct buf b;

	out[0] = '\0';
	buf_init(&b, KS_SMALL_FILE_MAX);
	if (rootfs_read_file(r, path, KS_SMALL_FILE_MAX, &b) == 0) {
		host_first_line(buf_str(&b), out, n);
	}
	buf_free(&b);
}

/* os-release values are shell-quoted: strip one level of quotes and backslash escapes. */
static void host_unquote(const char *v, size_t len, char *out, size_t n)
{
	char q = 0;
	size_t i, o = 0;

	if (len > 0 && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		v++;
		len--;
		if (len > 0 && v[len - 1] == q) {
			len--;
		}
	}
	for (i = 0; i < len && o + 1 < n; i++) {
		if (q != '\'' && v[i] == '\\' && i + 1 < len) {
			i++;
		}
		out[o++] = v[i];
	}
	out[o] = '\0';
}

int host_os_release_value(const char *data, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	const char *line = data;

	while (*line != '\0') {
		size_t len = strcspn(line, "\n");

		if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
			host_unquote(line + klen + 1, len - klen - 1, out, n);
			return 0;
		}
		line += len + (line[len] == '\n');
	}
	return -1;
}

static int host_set(char **dst, const char *v)
{
	if (v[0] == '\0') {
		return 0;
	}
	return report_set_str(dst, v);
}

static int host_os(const struct rootfs *r, struct report *rep)
{
	char v[HOST_VALUE_MAX];
	struct buf b;
	int rc = 0;

	buf_init(&b, KS_SMALL_FILE_MAX);
	if (rootfs_read_file(r, "/etc/os-release", KS_SMALL_FILE_MAX, &b) != 0) {
		buf_reset(&b);
		if (rootfs_read_file(r, "/usr/lib/os-release", KS_SMALL_FILE_MAX, &b) != 0) {
			buf_free(&b);
			return 0;
		}
	}
	if (host_os_release_value(buf_str(&b), "ID", v, sizeof(v)) == 0) {
		rc |= host_set(&rep->os_id, v);
	}
	if (host_os_release_value(buf_str(&b), "VERSION_ID", v, sizeof(v)) == 0) {
		rc |= host_set(&rep->os_version_id, v);
	}
	if (host_os_release_value(buf_str(&b), "PRETTY_NAME", v, sizeof(v)) == 0) {
		rc |= host_set(&rep->os_pretty_name, v);
	}
	buf_free(&b);
	return rc != 0 ? -1 : 0;
}

int host_fill(const struct rootfs *r, struct report *rep)
{
	char v[HOST_VALUE_MAX];
	struct utsname u;
	int rc = 0;

	host_read_line(r, "/etc/hostname", v, sizeof(v));
	if (rootfs_is_host(r) && gethostname(v, sizeof(v)) == 0) {
		v[sizeof(v) - 1] = '\0';
	}
	rc |= host_set(&rep->hostname, v);
	host_read_line(r, "/etc/machine-id", v, sizeof(v));
	rc |= host_set(&rep->machine_id, v);
	if (rootfs_is_host(r) && uname(&u) == 0) {
		rc |= host_set(&rep->kernel, u.release);
	}
	rc |= host_os(r, rep);
	if (rc != 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
