#include "scanner/match/vendor.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

bool vendor_is_kaspersky(const char *field)
{
	static const char *const names[] = {"AO Kaspersky Lab", "Kaspersky Lab", "Kaspersky"};
	size_t i;

	if (field == NULL) {
		return false;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		/* a match of n characters means field[n] exists */
		if (strncasecmp(field, names[i], n) == 0 &&
		    (field[n] == '\0' || field[n] == ' ' || field[n] == ',' || field[n] == '<')) {
			return true;
		}
	}
	return false;
}
