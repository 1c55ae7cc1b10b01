/*
 * xsmc glue for matcher.js: marshals XS arguments to matcher_host.c, which
 * runs the wasm2c output of the kernel with every call wrapped in
 * wasm_rt_impl_try(). Statuses go back to JS as numbers; the TypeScript
 * wrapper (BindingMatcher) has already validated arguments and turns any
 * non-zero status into an OptgateError. Buffers are copied into the
 * kernel's memory before anything can run the XS garbage collector.
 */
#include <stddef.h> /* before xs.h: some XS versions use size_t without including it */
#include <stdint.h>
#include <string.h>

#include "xsmc.h"
#include "matcher_host.h"

/*
 * Results go back through an ArrayBuffer of at least 16 bytes: xsmc reads
 * only byte-sized typed arrays, and an ArrayBuffer's data has no alignment
 * promise, hence memcpy. Fetched after the kernel call, so nothing can have
 * moved it in between.
 */
static void put_result(xsMachine *the, xsSlot *slot, const int32_t words[4]) {
  void *data;
  xsUnsignedValue length;
  xsmcGetBufferWritable(*slot, &data, &length);
  if (length < 4 * sizeof(int32_t)) xsRangeError("matcher result needs an ArrayBuffer of 16 bytes");
  memcpy(data, words, 4 * sizeof(int32_t));
}

void xs_matcher_init(xsMachine *the) {
  xsmcSetInteger(xsResult, matcher_host_init(xsmcToInteger(xsArg(0)), xsmcToInteger(xsArg(1))));
}

void xs_matcher_load(xsMachine *the) {
  int32_t slot = xsmcToInteger(xsArg(0));
  void *data;
  xsUnsignedValue length;
  xsmcGetBufferReadable(xsArg(1), &data, &length);
  xsmcSetInteger(xsResult, matcher_host_load(slot, (const int8_t *)data, length));
}

void xs_matcher_clear(xsMachine *the) {
  xsmcSetInteger(xsResult, matcher_host_clear(xsmcToInteger(xsArg(0))));
}

void xs_matcher_verify(xsMachine *the) {
  int32_t slot = xsmcToInteger(xsArg(0));
  void *probe;
  xsUnsignedValue length;
  int32_t score = 0;
  xsmcGetBufferReadable(xsArg(1), &probe, &length);
  int32_t status = matcher_host_verify(slot, (const int8_t *)probe, length, &score);
  if (status == MATCHER_OK) {
    const int32_t words[4] = { slot, score, -1, INT32_MIN };
    put_result(the, &xsArg(2), words);
  }
  xsmcSetInteger(xsResult, status);
}

void xs_matcher_scan(xsMachine *the) {
  int32_t count = xsmcToInteger(xsArg(1));
  void *probe;
  xsUnsignedValue length;
  int32_t words[4];
  xsmcGetBufferReadable(xsArg(0), &probe, &length);
  int32_t status = matcher_host_scan((const int8_t *)probe, length, count, words);
  if (status == MATCHER_OK) put_result(the, &xsArg(2), words);
  xsmcSetInteger(xsResult, status);
}

void xs_matcher_wipe(xsMachine *the) {
  (void)the;
  matcher_host_wipe();
}
