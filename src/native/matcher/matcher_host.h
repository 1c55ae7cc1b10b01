/*
 * The board's matcher in plain C: one wasm2c instance of the kernel
 * (wasm/matcher.ts → build/wasm2c/matcher_kernel.c) with the gallery kept in
 * the instance's linear memory. No XS types here, so the same file is linked
 * into the Moddable native module (xs_matcher.c) and into the host C harness
 * (tools/wasm/harness.c) that CI runs under -fsanitize=address.
 */
#ifndef MATCHER_HOST_H
#define MATCHER_HOST_H

#include <stddef.h>
#include <stdint.h>

/* Kernel statuses (wasm/matcher.ts, src/core/matcher/kernel-status.ts) plus one of the host's own. */
#define MATCHER_OK 0
#define MATCHER_E_DIMENSION (-1)
#define MATCHER_E_CAPACITY (-2)
#define MATCHER_E_SLOT (-3)
#define MATCHER_E_COUNT (-4)
#define MATCHER_E_PROBE (-5)
#define MATCHER_E_NOT_READY (-6)
#define MATCHER_E_MEMORY (-7)
/* The kernel trapped (it never should: every entry checks its bounds first). */
#define MATCHER_E_TRAP (-8)

int32_t matcher_host_init(int32_t dim, int32_t capacity);
int32_t matcher_host_load(int32_t slot, const int8_t *template_bytes, size_t length);
int32_t matcher_host_clear(int32_t slot);
int32_t matcher_host_verify(int32_t slot, const int8_t *probe, size_t length, int32_t *score);
/* out: best index, best score, second index, second score. */
int32_t matcher_host_scan(const int8_t *probe, size_t length, int32_t count, int32_t out[4]);
/* Zero the whole gallery (every template's bytes), e.g. after a factory reset. */
void matcher_host_wipe(void);

#endif
