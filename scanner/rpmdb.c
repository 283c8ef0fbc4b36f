/* placeholder: being written */
#include <stddef.h>
extern int kscan_placeholder_rpmdb;
