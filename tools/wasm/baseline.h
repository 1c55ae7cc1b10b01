/* The C scans the benchmark measures every other path against, each built with its own flags. */
#ifndef MATCHER_BASELINE_H
#define MATCHER_BASELINE_H
#include <stdint.h>

typedef void scan_fn(const int8_t *gallery, const int8_t *probe, int32_t dim, int32_t count, int32_t out[4]);

/* baseline.c: a byte at a time. kernel-c.c: the kernel's own algorithm. */
scan_fn byte_loop_o2, byte_loop_best, kernel_algorithm_o2, kernel_algorithm_best;

#endif
