// The defaults, as weak definitions. The linker takes a strong definition over a weak one, so the
// object scripts/build-release compiles from the build's values replaces these at link time: the
// sources never change (stamping leaves the tree clean), and only the link step sees the values
// (no module is compiled again when the date changes).
#include "CBuildStamp.h"

__attribute__((weak)) const char *azwi_build_version(void) { return "dev"; }
__attribute__((weak)) const char *azwi_build_commit(void) { return "unknown"; }
__attribute__((weak)) const char *azwi_build_date(void) { return "unknown"; }
__attribute__((weak)) const char *azwi_build_swift_version(void) { return "unknown"; }
