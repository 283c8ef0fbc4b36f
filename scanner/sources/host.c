#include "scanner/sources/host.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"

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

static void host_os(const struct rootfs *r, struct host_info *out)
{
	struct buf b;

	buf_init(&b, KS_SMALL_FILE_MAX);
	if (rootfs_read_file(r, "/etc/os-release", KS_SMALL_FILE_MAX, &b) != 0) {
		buf_reset(&b);
		if (rootfs_read_file(r, "/usr/lib/os-release", KS_SMALL_FILE_MAX, &b) != 0) {
			buf_free(&b);
			return;
		}
	}
	/* a key that is absent leaves its field "" */
	(void)host_os_release_value(buf_str(&b), "ID", out->os_id, sizeof(out->os_id));
	(void)host_os_release_value(buf_str(&b), "VERSION_ID", out->os_version_id,
		sizeof(out->os_version_id));
	(void)host_os_release_value(buf_str(&b), "PRETTY_NAME", out->os_pretty_name,
		sizeof(out->os_pretty_name));
	buf_free(&b);
}

void host_read(const struct rootfs *r, struct host_info *out)
{
	struct utsname u;

	memset(out, 0, sizeof(*out));
	host_read_line(r, "/etc/hostname", out->hostname, sizeof(out->hostname));
	if (rootfs_is_host(r) &&
	    gethostname(out->hostname, sizeof(out->hostname)) == 0) {
		out->hostname[sizeof(out->hostname) - 1] = '\0';
	}
	host_read_line(r, "/etc/machine-id", out->machine_id, sizeof(out->machine_id));
	if (rootfs_is_host(r) && uname(&u) == 0) {
		(void)snprintf(out->kernel, sizeof(out->kernel), "%s", u.release);
	}
	host_os(r, out);
}
