/*
 * The kernel's own scalar algorithm (wasm/matcher.ts dotScalar) in plain C:
 * one 4-byte load per operand per step, bytes sign-extended by shifts, four
 * independent accumulators. Compiled at -O2 it is the fair yardstick for the
 * wasm2c path (same algorithm, only the translation differs); both C scans are
 * also built at -O3 -march=native for the best C the compiler makes.
 * SCAN_NAME is set by the build (tools/wasm/compile-c.ts).
 */
#include <string.h>

#include "baseline.h"

static int32_t dot(const int8_t *a, const int8_t *b, int32_t n) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int32_t i = 0; i < n; i += 4) {
    int32_t x, y;
    memcpy(&x, a + i, 4);
    memcpy(&y, b + i, 4);
    s0 += ((int32_t)((uint32_t)x << 24) >> 24) * ((int32_t)((uint32_t)y << 24) >> 24);
    s1 += ((int32_t)((uint32_t)x << 16) >> 24) * ((int32_t)((uint32_t)y << 16) >> 24);
    s2 += ((int32_t)((uint32_t)x << 8) >> 24) * ((int32_t)((uint32_t)y << 8) >> 24);
    s3 += (x >> 24) * (y >> 24);
  }
  return (s0 + s1) + (s2 + s3);
}

void SCAN_NAME(const int8_t *gallery, const int8_t *probe, int32_t dim, int32_t count, int32_t out[4]) {
  int32_t best = -1, best_score = INT32_MIN, second = -1, second_score = INT32_MIN;
  for (int32_t i = 0; i < count; i++) {
    int32_t score = dot(gallery + (long)i * dim, probe, dim);
    if (score > best_score) {
      second = best;
      second_score = best_score;
      best = i;
      best_score = score;
    } else if (score > second_score) {
      second = i;
      second_score = score;
    }
  }
  out[0] = best;
  out[1] = best_score;
  out[2] = second;
  out[3] = second_score;
}
