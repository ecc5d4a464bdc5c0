// The C side of Tally's C ABI is only its header (include/tally.h); the functions are defined
// in Swift (Sources/TallyC) with @_cdecl. This file makes the header a module Swift can import.
#include "tally.h"
