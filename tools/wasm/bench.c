/*
 * bench <dim> <count> <reps>: median ns per 1:N scan over `count` random
 * templates for the C scans (a byte at a time and the kernel's own algorithm,
 * each at -O2 and at -O3 -march=native) and for the board's C path
 * (matcher_host.c over the wasm2c kernel), timed here with clock_gettime so
 * process start-up never counts. Prints one JSON line; exits non-zero if any
 * two paths disagree on a result.
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

  static const struct { const char *name; scan_fn *scan; } c_scans[] = {
    { "byteLoopO2Ns", byte_loop_o2 },
    { "kernelAlgorithmO2Ns", kernel_algorithm_o2 },
    { "byteLoopBestNs", byte_loop_best },
    { "kernelAlgorithmBestNs", kernel_algorithm_best },
  };
  enum { C_SCANS = sizeof c_scans / sizeof c_scans[0] };
  int32_t expected[4], got[4];
  double c_samples[C_SCANS][ROUNDS], wasm2c[ROUNDS];
  volatile int32_t sink = 0;
  /* Every path runs in every round, so load drifting on a shared machine hits them all alike. */
  for (int round = 0; round < ROUNDS; round++) {
    for (int k = 0; k < C_SCANS; k++) {
      double start = now_ns();
      for (int32_t r = 0; r < reps; r++) {
        probe[r % dim] ^= 1; /* a different probe each time, so no call can be hoisted */
        c_scans[k].scan(gallery, probe, dim, count, expected);
        sink += expected[1];
      }
      c_samples[k][round] = (now_ns() - start) / reps;
    }
    double start = now_ns();
    for (int32_t r = 0; r < reps; r++) {
      probe[r % dim] ^= 1;
      if (matcher_host_scan(probe, (size_t)dim, count, got) != MATCHER_OK) return 4;
      sink += got[1];
    }
    wasm2c[round] = (now_ns() - start) / reps;
  }
  /* Then every path once more on one and the same probe: all must agree with the board's path. */
  if (matcher_host_scan(probe, (size_t)dim, count, got) != MATCHER_OK) return 4;
  for (int k = 0; k < C_SCANS; k++) {
    c_scans[k].scan(gallery, probe, dim, count, expected);
    if (memcmp(expected, got, sizeof got) != 0) {
      fprintf(stderr, "%s and wasm2c disagree\n", c_scans[k].name);
      return 5;
    }
  }
  printf("{");
  for (int k = 0; k < C_SCANS; k++) printf("\"%s\": %.1f, ", c_scans[k].name, median(c_samples[k]));
  printf("\"wasm2cNs\": %.1f, \"sink\": %d}\n", median(wasm2c), (int)sink);
  free(gallery);
  free(probe);
  return 0;
}
