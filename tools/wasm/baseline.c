/*
 * Plain C 1:N scan, written the obvious way (a byte at a time): gcc -O2 does
 * not vectorise it, -O3 -march=native does. Same ranking rule as the kernel,
 * so results can be cross-checked. SCAN_NAME is set by the build.
 */
#include "baseline.h"

static int32_t dot(const int8_t *a, const int8_t *b, int32_t n) {
  int32_t sum = 0;
  for (int32_t i = 0; i < n; i++) sum += (int32_t)a[i] * (int32_t)b[i];
  return sum;
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
