/*
 * Host harness for the board's C face path: the wasm2c output of the face
 * kernel plus src/native/face/face_host.c, built with the host gcc by
 * test/face-model/c-harness.node.test.ts (plain, and with ASan + UBSan).
 *
 *   face-harness run <image> <image_cap> <frame_cap> <arena> <w> <h> <format> <frame>...
 *       prints "init S", "load S", then per frame "embed S v0 v1 ..."
 *   face-harness warp <image> <frame> <frame_w> <frame_h> <format> <m0> ... <m5>
 *       the kernel crops and warps the face out of the frame: prints "load S", "embed S v0 v1 ..."
 *   face-harness trap <image> <frame>
 *       a kernel bug simulated (memory shrunk under the kernel): prints "trap S"
 * Files are raw bytes; a missing file counts as empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face_host.h"
#include "face_kernel.h"
#include "wasm-rt-exceptions.h"
#include "wasm-rt-impl.h"

static face_host_t host;

static uint8_t *slurp(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  uint8_t *bytes = NULL;
  long size;
  *length = 0;
  if (!file) return calloc(1, 1);
  fseek(file, 0, SEEK_END);
  size = ftell(file);
  fseek(file, 0, SEEK_SET);
  bytes = malloc(size > 0 ? (size_t)size : 1);
  if (size > 0 && fread(bytes, 1, (size_t)size, file) != (size_t)size) size = 0;
  fclose(file);
  *length = size > 0 ? (size_t)size : 0;
  return bytes;
}

static int run(int argc, char **argv) {
  size_t image_length, dim;
  uint8_t *image = slurp(argv[2], &image_length);
  int32_t out[32768];
  int32_t status = face_host_init(&host, (uint32_t)strtoul(argv[3], NULL, 10), (uint32_t)strtoul(argv[4], NULL, 10), (uint32_t)strtoul(argv[5], NULL, 10));
  int32_t width = atoi(argv[6]), height = atoi(argv[7]), format = atoi(argv[8]);
  printf("init %d\n", status);
  printf("load %d\n", face_host_load(&host, image, image_length));
  for (int i = 9; i < argc; i++) {
    size_t length;
    uint8_t *frame = slurp(argv[i], &length);
    status = face_host_embed(&host, frame, length, width, height, format, out, sizeof out / sizeof out[0], &dim);
    printf("embed %d", status);
    for (size_t k = 0; k < dim; k++) printf(" %d", out[k]);
    printf("\n");
    face_host_wipe(&host);
    free(frame);
  }
  free(image);
  face_host_free(&host);
  return 0;
}

static int warp(char **argv) {
  size_t image_length, frame_length, dim;
  uint8_t *image = slurp(argv[2], &image_length);
  uint8_t *frame = slurp(argv[3], &frame_length);
  int32_t out[32768], m[6];
  int32_t status;
  for (int k = 0; k < 6; k++) m[k] = (int32_t)strtol(argv[7 + k], NULL, 10);
  face_host_init(&host, (uint32_t)image_length, (uint32_t)(frame_length ? frame_length : 1), 4u << 20);
  printf("load %d\n", face_host_load(&host, image, image_length));
  status = face_host_embed_warped(&host, frame, frame_length, atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), m, out, sizeof out / sizeof out[0], &dim);
  printf("embed %d", status);
  for (size_t k = 0; k < dim; k++) printf(" %d", out[k]);
  printf("\n");
  face_host_wipe(&host);
  face_host_free(&host);
  free(image);
  free(frame);
  return 0;
}

static int trap(char **argv) {
  size_t image_length, frame_length, dim;
  uint8_t *image = slurp(argv[2], &image_length);
  uint8_t *frame = slurp(argv[3], &frame_length);
  int32_t out[32768];
  w2c_face__kernel raw;
  uint64_t size;
  int32_t status;
  /* The host path first, to have a valid model in a private instance below. */
  wasm_rt_init();
  wasm2c_face__kernel_instantiate(&raw);
  w2c_face__kernel_init(&raw, (u32)image_length, (u32)frame_length, 4u << 20);
  memcpy(w2c_face__kernel_memory(&raw)->data + w2c_face__kernel_imagePtr(&raw), image, image_length);
  printf("load %d\n", (int32_t)w2c_face__kernel_loadModel(&raw, (u32)image_length));
  memcpy(w2c_face__kernel_memory(&raw)->data + w2c_face__kernel_framePtr(&raw), frame, frame_length);
  /* The runtime's view of memory shrunk under the kernel: load() passed, a layer load is now out of range. */
  size = w2c_face__kernel_memory(&raw)->size;
  w2c_face__kernel_memory(&raw)->size = w2c_face__kernel_framePtr(&raw) + frame_length;
  if (wasm_rt_impl_try() != WASM_RT_TRAP_NONE) {
    status = FACE_E_TRAP;
  } else {
    status = (int32_t)w2c_face__kernel_embed(&raw, 112, 112, 0);
  }
  printf("trap %d\n", status);
  w2c_face__kernel_memory(&raw)->size = size;
  wasm2c_face__kernel_free(&raw);
  (void)out;
  (void)dim;
  free(image);
  free(frame);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 9 && strcmp(argv[1], "run") == 0) return run(argc, argv);
  if (argc == 4 && strcmp(argv[1], "trap") == 0) return trap(argv);
  if (argc == 13 && strcmp(argv[1], "warp") == 0) return warp(argv);
  fprintf(stderr, "usage: face-harness run <image> <image_cap> <frame_cap> <arena> <w> <h> <format> <frame>... | face-harness warp <image> <frame> <w> <h> <format> <m0..m5> | face-harness trap <image> <frame>\n");
  return 2;
}
