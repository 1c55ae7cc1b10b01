/*
 * See face_host.h. Every call into the kernel runs inside wasm_rt_impl_try():
 * with WASM_RT_MEMCHECK_BOUNDS_CHECK (the default on 32-bit targets such as
 * the ESP32-S3) each access is bounds-checked, and a violation longjmps back
 * here as FACE_E_TRAP instead of reading out of range. Host copies into linear
 * memory are checked against the areas the kernel laid out.
 */
#include <string.h>

#include "face_host.h"
#include "face_kernel.h"
#include "wasm-rt-exceptions.h"
#include "wasm-rt-impl.h"


#define KERNEL_CALL(expr, status)                  \
  do {                                             \
    if (wasm_rt_impl_try() != WASM_RT_TRAP_NONE) { \
      (status) = FACE_E_TRAP;                      \
    } else {                                       \
      (status) = (int32_t)(expr);                  \
    }                                              \
  } while (0)

static void instantiate_once(face_host_t *host) {
  if (host->instantiated) return;
  wasm_rt_init();
  wasm2c_face__kernel_instantiate(&host->kernel);
  host->instantiated = 1;
}

static wasm_rt_memory_t *memory(face_host_t *host) {
  return w2c_face__kernel_memory(&host->kernel);
}

int32_t face_host_init(face_host_t *host, uint32_t image_bytes, uint32_t frame_bytes, uint32_t arena_bytes) {
  int32_t status;
  instantiate_once(host);
  host->image_cap = host->frame_cap = 0;
  if (image_bytes > INT32_MAX || frame_bytes > INT32_MAX || arena_bytes > INT32_MAX) return FACE_E_INIT;
  KERNEL_CALL(w2c_face__kernel_init(&host->kernel, image_bytes, frame_bytes, arena_bytes), status);
  if (status != FACE_OK) return status;
  host->image_cap = image_bytes;
  host->frame_cap = frame_bytes;
  return FACE_OK;
}

int32_t face_host_load(face_host_t *host, const uint8_t *image, size_t length) {
  int32_t status;
  if (!host->image_cap) return FACE_E_NOT_READY;
  if (length > host->image_cap) return FACE_E_IMAGE_TRUNCATED;
  memcpy(memory(host)->data + w2c_face__kernel_imagePtr(&host->kernel), image, length);
  KERNEL_CALL(w2c_face__kernel_loadModel(&host->kernel, (u32)length), status);
  return status;
}

static int32_t copy_frame(face_host_t *host, const uint8_t *pixels, size_t length) {
  if (!host->image_cap) return FACE_E_NOT_READY;
  if (length > host->frame_cap) return FACE_E_CROP_SIZE;
  memcpy(memory(host)->data + w2c_face__kernel_framePtr(&host->kernel), pixels, length);
  return FACE_OK;
}

/* Every output (int32 tensors in table order: the embedding; a detector's heads), concatenated. */
static int32_t read_output(face_host_t *host, int32_t *out, size_t capacity, size_t *dim) {
  w2c_face__kernel *kernel = &host->kernel;
  uint32_t outputs = w2c_face__kernel_outputCount(kernel);
  size_t total = 0;
  for (uint32_t k = 0; k < outputs; k++) {
    uint32_t at = w2c_face__kernel_outputAt(kernel, k);
    uint32_t n = w2c_face__kernel_outputLength(kernel, k);
    if (n > capacity - total || (uint64_t)at + (uint64_t)n * 4 > (uint64_t)memory(host)->size) return FACE_E_INIT;
    memcpy(out + total, memory(host)->data + at, (size_t)n * 4); /* wasm memory is little-endian, as are the S3 and x86 */
    total += n;
  }
  *dim = total;
  return FACE_OK;
}

int32_t face_host_embed(face_host_t *host, const uint8_t *pixels, size_t length, int32_t width, int32_t height, int32_t format, int32_t *out, size_t capacity, size_t *dim) {
  int32_t status;
  *dim = 0;
  status = copy_frame(host, pixels, length);
  if (status != FACE_OK) return status;
  KERNEL_CALL(w2c_face__kernel_embed(&host->kernel, (u32)width, (u32)height, (u32)format), status);
  if (status != FACE_OK) return status;
  return read_output(host, out, capacity, dim);
}

int32_t face_host_embed_warped(face_host_t *host, const uint8_t *frame, size_t length, int32_t frame_width, int32_t frame_height, int32_t format, const int32_t m[6], int32_t *out, size_t capacity, size_t *dim) {
  int32_t status;
  *dim = 0;
  status = copy_frame(host, frame, length);
  if (status != FACE_OK) return status;
  KERNEL_CALL(w2c_face__kernel_embedWarped(&host->kernel, (u32)frame_width, (u32)frame_height, (u32)format, (u32)m[0], (u32)m[1], (u32)m[2], (u32)m[3], (u32)m[4], (u32)m[5]), status);
  if (status != FACE_OK) return status;
  return read_output(host, out, capacity, dim);
}

void face_host_wipe(face_host_t *host) {
  if (host->image_cap) w2c_face__kernel_wipe(&host->kernel);
}

void face_host_free(face_host_t *host) {
  if (!host->instantiated) return;
  wasm2c_face__kernel_free(&host->kernel);
  host->instantiated = 0;
  host->image_cap = host->frame_cap = 0;
}
