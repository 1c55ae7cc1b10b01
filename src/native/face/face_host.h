/*
 * The board's face kernel in plain C: wasm2c instances of the face kernel
 * (wasm/face-kernel.ts → build/wasm2c/face_kernel.c), one per model (the
 * board runs two: BlazeFace and the embedder). The model image is copied
 * into the instance's linear memory and checked there by the kernel; frames
 * go in, int32 outputs come out. No XS types here, so the same file serves
 * the Moddable native module (xs_face.c) and the host C harness
 * (tools/face-model/harness.c) that CI runs under ASan + UBSan.
 */
#ifndef FACE_HOST_H
#define FACE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "face_kernel.h"

/* Kernel statuses (wasm/face-kernel.ts, src/app/face-kernel-status.ts) plus the host's own. */
#define FACE_OK 0
#define FACE_E_INIT (-1)
#define FACE_E_MEMORY (-2)
#define FACE_E_NOT_READY (-3)
#define FACE_E_IMAGE_TRUNCATED (-4)
#define FACE_E_IMAGE_MAGIC (-5)
#define FACE_E_IMAGE_VERSION (-6)
#define FACE_E_IMAGE_CHECKSUM (-7)
#define FACE_E_IMAGE_LAYOUT (-8)
#define FACE_E_ARENA_TOO_SMALL (-9)
#define FACE_E_CROP_SIZE (-10)
#define FACE_E_FORMAT (-11)
/* The kernel trapped (it never should: load() checks every reach first). */
#define FACE_E_TRAP (-12)

/* One kernel instance; zero-initialise it (static or memset) before its first face_host_init. */
typedef struct {
  w2c_face__kernel kernel;
  int instantiated;
  uint32_t image_cap, frame_cap;
} face_host_t;

/* Sizes the kernel's memory: model image, one frame, activation arena. */
int32_t face_host_init(face_host_t *host, uint32_t image_bytes, uint32_t frame_bytes, uint32_t arena_bytes);
/* Copies the image in and has the kernel check it (magic, version, length, CRC-32, layer reach, arena). */
int32_t face_host_load(face_host_t *host, const uint8_t *image, size_t length);
/* One aligned crop (width x height, format as below) → up to `capacity` int32 values in `out` (every output in
   table order: the embedding, or a detector's four heads); `*dim` gets the count. */
int32_t face_host_embed(face_host_t *host, const uint8_t *pixels, size_t length, int32_t width, int32_t height, int32_t format, int32_t *out, size_t capacity, size_t *dim);
/*
 * The face in a whole frame (frame_width x frame_height, format 0 RGB888 / 1 GREY8 /
 * 2 RGB565LE / 3 RGB565BE): the kernel crops, rotates and scales it to the model's
 * input through m (Q16: crop pixel (u, v) samples the frame at
 * ((m[0]u + m[1]v + m[2]) / 2^16, (m[3]u + m[4]v + m[5]) / 2^16)), then embeds.
 */
int32_t face_host_embed_warped(face_host_t *host, const uint8_t *frame, size_t length, int32_t frame_width, int32_t frame_height, int32_t format, const int32_t m[6], int32_t *out, size_t capacity, size_t *dim);
/* Zero frame and arena (no pixel or activation outlives an embedding). */
void face_host_wipe(face_host_t *host);
/* Free the instance's memory. */
void face_host_free(face_host_t *host);

#endif
