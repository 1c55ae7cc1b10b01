/* The hand-written C matcher the benchmark measures every other path against. */
#ifndef MATCHER_BASELINE_H
#define MATCHER_BASELINE_H
#include <stdint.h>

void baseline_scan(const int8_t *gallery, const int8_t *probe, int32_t dim, int32_t count, int32_t out[4]);

#endif
