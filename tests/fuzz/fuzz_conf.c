/* Fuzz target: the configuration file loader (strict YAML into struct conf). */
#include <stddef.h>
#include <stdint.h>

#include "scanner/cli/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deliver_opts d;
	struct conf c;
	struct kerr e;

	conf_init(&c);
	kerr_clear(&e);
	if (conf_load_mem(&c, "fuzz.yaml", (const char *)data, size, &e) == 0) {
		conf_deliver_opts(&c, &d);
	}
	conf_free(&c);
	return 0;
}
