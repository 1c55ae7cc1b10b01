/*
 * xsmc glue for face-kernel-native.js: three kernel instances (face_host.c over
 * the wasm2c translation of wasm/face-kernel.ts), slot 0 the detector,
 * slot 1 the embedder, slot 2 the landmark network (FaceMesh). The model image comes from the flash map of the
 * "facemodel" partition (a read-only host buffer) and is copied into the
 * instance's linear memory (PSRAM), where the kernel checks it. Statuses go
 * back as numbers; the TypeScript port (native-face-kernel.ts) turns them
 * into OptgateErrors. Outputs go into an ArrayBuffer the caller owns; every
 * buffer is fetched only after the kernel call, so the XS garbage collector
 * cannot have moved it in between.
 */
#include <stddef.h> /* before xs.h: some XS versions use size_t without including it */
#include <stdint.h>
#include <string.h>

#include "xsmc.h"
#include "face_host.h"

#define SLOTS 3
/* BlazeFace's four heads: 896 scores + 896 × 16 box values. */
#define MAX_OUTPUTS 15232

static face_host_t hosts[SLOTS];
static int32_t outputs[MAX_OUTPUTS];
static size_t output_count[SLOTS];

static face_host_t *slot_of(xsMachine *the) {
  int32_t slot = xsmcToInteger(xsArg(0));
  if (slot < 0 || slot >= SLOTS) xsRangeError("face kernel slot out of range");
  return &hosts[slot];
}

void xs_face_init(xsMachine *the) {
  face_host_t *host = slot_of(the);
  xsmcSetInteger(xsResult, face_host_init(host, xsmcToInteger(xsArg(1)), xsmcToInteger(xsArg(2)), xsmcToInteger(xsArg(3))));
}

void xs_face_load(xsMachine *the) {
  face_host_t *host = slot_of(the);
  void *data;
  xsUnsignedValue length;
  int32_t offset = xsmcToInteger(xsArg(2)), bytes = xsmcToInteger(xsArg(3));
  xsmcGetBufferReadable(xsArg(1), &data, &length);
  if (offset < 0 || bytes < 0 || (xsUnsignedValue)offset > length || (xsUnsignedValue)bytes > length - (xsUnsignedValue)offset) xsRangeError("face model image outside its buffer");
  xsmcSetInteger(xsResult, face_host_load(host, (const uint8_t *)data + offset, (size_t)bytes));
}

/* (slot, frame, width, height, format, m0..m5): runs the model; its outputs wait in C for read(). */
void xs_face_embed_warped(xsMachine *the) {
  int32_t slot = xsmcToInteger(xsArg(0));
  face_host_t *host = slot_of(the);
  int32_t m[6], k, status;
  void *frame;
  xsUnsignedValue length;
  int32_t width = xsmcToInteger(xsArg(2)), height = xsmcToInteger(xsArg(3)), format = xsmcToInteger(xsArg(4));
  for (k = 0; k < 6; k++) m[k] = xsmcToInteger(xsArg(5 + k));
  xsmcGetBufferReadable(xsArg(1), &frame, &length);
  status = face_host_embed_warped(host, (const uint8_t *)frame, length, width, height, format, m, outputs, MAX_OUTPUTS, &output_count[slot]);
  if (status != FACE_OK) {
    /* Nothing will read this run out: no pixel or activation stays behind. */
    memset(outputs, 0, sizeof outputs);
    output_count[slot] = 0;
    face_host_wipe(host);
  }
  xsmcSetInteger(xsResult, status);
}

/* (slot, out: ArrayBuffer): copies the last run's int32 outputs, then zeroes them and the kernel's frame and arena. */
void xs_face_read(xsMachine *the) {
  int32_t slot = xsmcToInteger(xsArg(0));
  face_host_t *host = slot_of(the);
  void *data;
  xsUnsignedValue length;
  size_t count = output_count[slot];
  xsmcGetBufferWritable(xsArg(1), &data, &length);
  if (length < count * sizeof(int32_t)) xsRangeError("face kernel output buffer too small");
  memcpy(data, outputs, count * sizeof(int32_t));
  memset(outputs, 0, sizeof outputs);
  output_count[slot] = 0;
  face_host_wipe(host);
  xsmcSetInteger(xsResult, (int32_t)count);
}
