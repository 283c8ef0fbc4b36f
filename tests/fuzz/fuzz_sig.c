/* Fuzz target: the signature pack loader (YAML into a validated signature set). */
#include <stddef.h>
#include <stdint.h>

#include "signatures/sig.h"
#include "signatures/sigload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sig_set *s = sig_set_new();
	struct kerr e;

	if (s == NULL) {
		return 0;
	}
	kerr_clear(&e);
	if (sigload_mem(s, "fuzz.yaml", (const char *)data, size, false, &e) == 0) {
		(void)sig_set_finish(s, &e);
	}
	sig_set_free(s);
	return 0;
}
