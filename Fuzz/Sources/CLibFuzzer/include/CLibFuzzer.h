// libFuzzer's documented entry point for programs that provide their own main(): it parses the
// command line exactly like libFuzzer's own main and runs the fuzzing loop over `callback`.
//
// SwiftPM links every executable target with its module's entry point standing in for `main`, which
// hides the `main` that `-sanitize=fuzzer` would otherwise bring in; so each fuzz target has a Swift
// `@main` that hands the command line to this function (see FuzzCommon/Driver.swift).

#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>

typedef int (*CLibFuzzerTestOneInput)(const void *_Nonnull data, size_t size);

int LLVMFuzzerRunDriver(int *_Nonnull argc, char *_Nullable *_Nullable *_Nonnull argv,
                        CLibFuzzerTestOneInput _Nonnull callback);

#endif
