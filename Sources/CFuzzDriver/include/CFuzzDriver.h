#ifndef BATON_CFUZZDRIVER_H
#define BATON_CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry for programs that keep their own main (SwiftPM names an executable's main
// itself, so libFuzzer's main cannot be used). Defined by the fuzzer runtime that
// -sanitize=fuzzer links; only referenced from the fuzzing build of baton-fuzz.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
