/*
 * bench <dim> <count> <reps>: median ns per 1:N scan over `count` random
 * templates, for the hand-written baseline and for the board's C path
 * (matcher_host.c over the wasm2c kernel), timed here with clock_gettime so
 * process start-up never counts. Prints one JSON line; exits non-zero if the
 * two paths disagree on any result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baseline.h"
#include "matcher_host.h"

enum { ROUNDS = 7 };

static uint32_t lcg_state = 12345;
static int8_t next_byte(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return (int8_t)(lcg_state >> 24);
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *samples) {
  qsort(samples, ROUNDS, sizeof samples[0], compare);
  return samples[ROUNDS / 2];
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int32_t dim = atoi(argv[1]), count = atoi(argv[2]), reps = atoi(argv[3]);
  int8_t *gallery = malloc((size_t)dim * count);
  int8_t *probe = malloc((size_t)dim);
  for (size_t i = 0; i < (size_t)dim * count; i++) gallery[i] = next_byte();
  for (int32_t i = 0; i < dim; i++) probe[i] = next_byte();
  if (matcher_host_init(dim, count) != MATCHER_OK) return 3;
  for (int32_t slot = 0; slot < count; slot++) matcher_host_load(slot, gallery + (size_t)slot * dim, (size_t)dim);

  int32_t expected[4], got[4];
  double baseline[ROUNDS], wasm2c[ROUNDS];
  volatile int32_t sink = 0;
  for (int round = 0; round < ROUNDS; round++) {
    double start = now_ns();
    for (int32_t r = 0; r < reps; r++) {
      probe[r % dim] ^= 1; /* a different probe each time, so no call can be hoisted */
      baseline_scan(gallery, probe, dim, count, expected);
      sink += expected[1];
    }
    baseline[round] = (now_ns() - start) / reps;
    start = now_ns();
    for (int32_t r = 0; r < reps; r++) {
      probe[r % dim] ^= 1;
      if (matcher_host_scan(probe, (size_t)dim, count, got) != MATCHER_OK) return 4;
      sink += got[1];
    }
    wasm2c[round] = (now_ns() - start) / reps;
  }
  /* The two loops flipped the same bits in the same order, so the probes are equal again: compare once. */
  baseline_scan(gallery, probe, dim, count, expected);
  if (matcher_host_scan(probe, (size_t)dim, count, got) != MATCHER_OK || memcmp(expected, got, sizeof got) != 0) {
    fprintf(stderr, "baseline and wasm2c disagree\n");
    return 5;
  }
  printf("{\"baselineNs\": %.1f, \"wasm2cNs\": %.1f, \"sink\": %d}\n", median(baseline), median(wasm2c), (int)sink);
  free(gallery);
  free(probe);
  return 0;
}
