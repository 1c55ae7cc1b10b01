/*
 * Timing binary for tools/bench/suites/42-face-kernel.ts. For one model image
 * and one frame: the board's path (wasm2c output of the kernel behind
 * src/native/face/face_host.c, built like the board: bounds-checked) and the
 * kernel's algorithm written in C (kernel-c.c) at -O2 and at -O3 -march=native,
 * each warping the frame through m and running every layer. First checks that
 * the three give the same int32 outputs, then prints JSON: median CPU ns per
 * run (process CPU time: the machine is shared, wall time counts other work).
 *
 *   face-bench <image> <frame> <frame_w> <frame_h> <format> <m0..m5> <reps>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face_host.h"

void face_c_o2(const uint8_t *image, uint8_t *arena, const uint8_t *frame, int32_t fw, int32_t fh, int32_t format, const int32_t *m);
void face_c_best(const uint8_t *image, uint8_t *arena, const uint8_t *frame, int32_t fw, int32_t fh, int32_t format, const int32_t *m);
typedef void (*c_path)(const uint8_t *, uint8_t *, const uint8_t *, int32_t, int32_t, int32_t, const int32_t *);

static face_host_t host;

#define ROUNDS 5
#define MAX_OUT 32768

static uint8_t *slurp(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  uint8_t *bytes;
  long size;
  if (!file) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  fseek(file, 0, SEEK_END);
  size = ftell(file);
  fseek(file, 0, SEEK_SET);
  bytes = malloc((size_t)size);
  if (fread(bytes, 1, (size_t)size, file) != (size_t)size) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
  fclose(file);
  *length = (size_t)size;
  return bytes;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *samples) {
  qsort(samples, ROUNDS, sizeof samples[0], by_value);
  return samples[ROUNDS / 2];
}

static uint32_t u32at(const uint8_t *p, uint32_t o) { uint32_t v; memcpy(&v, p + o, 4); return v; }
static uint32_t u16at(const uint8_t *p, uint32_t o) { return (uint32_t)p[o] | ((uint32_t)p[o + 1] << 8); }

/* The C path's outputs (int32 tensors in table order), concatenated as face_host returns them. */
static size_t c_outputs(const uint8_t *image, const uint8_t *arena, int32_t *out) {
  uint32_t tensors = u16at(image, 58), table = u32at(image, 64), i;
  size_t n = 0;
  for (i = 0; i < tensors; i++) {
    const uint8_t *t = image + table + i * 16;
    size_t count = (size_t)u16at(t, 4) * u16at(t, 6) * u16at(t, 8);
    if (t[10] != 4) continue;
    memcpy(out + n, arena + u32at(t, 0), count * 4);
    n += count;
  }
  return n;
}

int main(int argc, char **argv) {
  size_t image_length, frame_length, dim, c_dim;
  uint8_t *image, *frame, *arena;
  int32_t m[6], fw, fh, format, status, reps, r, k;
  static int32_t board_out[MAX_OUT], c_out[MAX_OUT];
  double samples[ROUNDS], board_ns, ns[2];
  c_path paths[2] = { face_c_o2, face_c_best };
  int same[2];
  if (argc != 13) {
    fprintf(stderr, "usage: face-bench <image> <frame> <frame_w> <frame_h> <format> <m0..m5> <reps>\n");
    return 2;
  }
  image = slurp(argv[1], &image_length);
  frame = slurp(argv[2], &frame_length);
  fw = atoi(argv[3]);
  fh = atoi(argv[4]);
  format = atoi(argv[5]);
  for (k = 0; k < 6; k++) m[k] = (int32_t)strtol(argv[6 + k], NULL, 10);
  reps = atoi(argv[12]);

  status = face_host_init(&host, (uint32_t)image_length, (uint32_t)frame_length, u32at(image, 48));
  if (status == FACE_OK) status = face_host_load(&host, image, image_length);
  if (status != FACE_OK) { fprintf(stderr, "the kernel refused the image: %d\n", status); return 1; }
  status = face_host_embed_warped(&host, frame, frame_length, fw, fh, format, m, board_out, MAX_OUT, &dim);
  if (status != FACE_OK) { fprintf(stderr, "the kernel refused the frame: %d\n", status); return 1; }
  for (r = 0; r < ROUNDS; r++) {
    double start = now_ns();
    for (k = 0; k < reps; k++) face_host_embed_warped(&host, frame, frame_length, fw, fh, format, m, board_out, MAX_OUT, &dim);
    samples[r] = (now_ns() - start) / reps;
  }
  board_ns = median(samples);
  face_host_wipe(&host);
  face_host_free(&host);

  arena = calloc(1, u32at(image, 48));
  for (k = 0; k < 2; k++) {
    paths[k](image, arena, frame, fw, fh, format, m);
    c_dim = c_outputs(image, arena, c_out);
    same[k] = c_dim == dim && memcmp(c_out, board_out, dim * 4) == 0;
    for (r = 0; r < ROUNDS; r++) {
      double start = now_ns();
      for (int i = 0; i < reps; i++) paths[k](image, arena, frame, fw, fh, format, m);
      samples[r] = (now_ns() - start) / reps;
    }
    ns[k] = median(samples);
  }
  printf("{\"wasm2cNs\": %.0f, \"sameAlgorithmO2Ns\": %.0f, \"bestNs\": %.0f, \"outputs\": %zu, \"sameOutputO2\": %s, \"sameOutputBest\": %s}\n",
         board_ns, ns[0], ns[1], dim, same[0] ? "true" : "false", same[1] ? "true" : "false");
  free(arena);
  free(image);
  free(frame);
  return same[0] && same[1] ? 0 : 3;
}
