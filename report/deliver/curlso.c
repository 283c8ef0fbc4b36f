#define CURLSO_INSIDE
#include "report/deliver/curlso.h"

#include <stdint.h>
#include <stdio.h>

#if KSCAN_CURL_DLOPEN
#include <dlfcn.h>
#include <string.h>

struct curlso_functions curlso;

#define CURLSO_SONAME "libcurl.so.4"
#define CURLSO_NOTE_JSON                                                                   \
	"[{\"feature\":\"delivery\",\"description\":\"HTTPS delivery of reports to the "         \
	"collector\",\"priority\":\"recommended\",\"soname\":[\"" CURLSO_SONAME "\"]}]"

/* systemd's ELF_NOTE_DLOPEN layout: owner "FDO", type 0x407c0c0a, the JSON, 4-aligned */
__attribute__((used, section(".note.dlopen"), aligned(4))) static const struct {
	uint32_t n_namesz, n_descsz, n_type;
	char name[4];
	char desc[(sizeof(CURLSO_NOTE_JSON) + 3) & ~(size_t)3];
} curlso_note = {4, sizeof(CURLSO_NOTE_JSON), 0x407c0c0a, "FDO", CURLSO_NOTE_JSON};

static int curlso_state; /* 0 not tried, 1 loaded, -1 failed */
static char curlso_why[256];

static int curlso_open(void)
{
	void *h = dlopen(CURLSO_SONAME, RTLD_NOW | RTLD_LOCAL);
	void *p;

	if (h == NULL) {
		(void)snprintf(curlso_why, sizeof(curlso_why), "%s", dlerror());
		return -1;
	}
	/* memcpy: ISO C has no conversion from dlsym's void * to a function pointer */
#define CURLSO_SYM(f)                                                                     \
	p = dlsym(h, #f);                                                                 \
	if (p == NULL) {                                                                  \
		(void)snprintf(curlso_why, sizeof(curlso_why), "%s has no %s", CURLSO_SONAME, \
			#f);                                                              \
		(void)dlclose(h);                                                         \
		return -1;                                                                \
	}                                                                                 \
	memcpy(&curlso.f, &p, sizeof(p));
	CURLSO_FUNCTIONS(CURLSO_SYM)
#undef CURLSO_SYM
	return 0;
}

int curlso_load(struct kerr *err)
{
	if (curlso_state == 0) {
		curlso_state = curlso_open() == 0 ? 1 : -1;
	}
	if (curlso_state < 0) {
		kerr_set(err, KERR_UNSUPPORTED, "delivery needs libcurl (Debian: libcurl4, RHEL: "
			"libcurl), which cannot be loaded: %s", curlso_why);
		return -1;
	}
	return 0;
}
#else
int curlso_load(struct kerr *err)
{
	(void)err;
	return 0;
}
#endif
