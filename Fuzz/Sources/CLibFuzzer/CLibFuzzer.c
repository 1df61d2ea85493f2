// Declarations only; LLVMFuzzerRunDriver itself comes from the libFuzzer runtime that -sanitize=fuzzer links.
#include "CLibFuzzer.h"
