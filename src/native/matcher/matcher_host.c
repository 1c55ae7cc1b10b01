/*
 * See matcher_host.h. Every call into the kernel runs inside
 * wasm_rt_impl_try(): with WASM_RT_MEMCHECK_BOUNDS_CHECK (the default on
 * 32-bit targets such as the ESP32-S3) each memory access is bounds-checked
 * and a violation longjmps back here instead of reading out of range. Host
 * copies into linear memory are checked against the memory's current size.
 */
#include <string.h>

#include "matcher_host.h"
#include "matcher_kernel.h"
#include "wasm-rt-exceptions.h"
#include "wasm-rt-impl.h"

static w2c_matcher__kernel kernel;
static int instantiated;
static uint32_t dim, capacity, probe_at, gallery_at, result_at;

/* Runs one kernel call; a trap becomes MATCHER_E_TRAP. */
#define KERNEL_CALL(expr, status)                         \
  do {                                                    \
    if (wasm_rt_impl_try() != WASM_RT_TRAP_NONE) {        \
      (status) = MATCHER_E_TRAP;                          \
    } else {                                              \
      (status) = (int32_t)(expr);                         \
    }                                                     \
  } while (0)

static void instantiate_once(void) {
  if (instantiated) return;
  wasm_rt_init();
  wasm2c_matcher__kernel_instantiate(&kernel);
  instantiated = 1;
}

static wasm_rt_memory_t *memory(void) {
  return w2c_matcher__kernel_memory(&kernel);
}

/* Copies `length` bytes to linear memory at `at` only if they fit entirely. */
static int32_t copy_in(uint32_t at, const int8_t *bytes, size_t length) {
  wasm_rt_memory_t *mem = memory();
  if ((uint64_t)at + (uint64_t)length > (uint64_t)mem->size) return MATCHER_E_PROBE;
  memcpy(mem->data + at, bytes, length);
  return MATCHER_OK;
}

static int32_t read_result(uint32_t word) {
  int32_t value;
  memcpy(&value, memory()->data + result_at + word * 4, sizeof value); /* wasm memory is little-endian, as are the S3 and x86 */
  return value;
}

int32_t matcher_host_init(int32_t new_dim, int32_t new_capacity) {
  int32_t status;
  instantiate_once();
  KERNEL_CALL(w2c_matcher__kernel_init(&kernel, (u32)new_dim, (u32)new_capacity), status);
  if (status != MATCHER_OK) return status;
  dim = (uint32_t)new_dim;
  capacity = (uint32_t)new_capacity;
  probe_at = w2c_matcher__kernel_probePtr(&kernel);
  gallery_at = w2c_matcher__kernel_galleryPtr(&kernel);
  result_at = w2c_matcher__kernel_resultPtr(&kernel);
  return MATCHER_OK;
}

int32_t matcher_host_load(int32_t slot, const int8_t *template_bytes, size_t length) {
  if (!dim) return MATCHER_E_NOT_READY;
  if (length != dim) return MATCHER_E_DIMENSION;
  if (slot < 0 || (uint32_t)slot >= capacity) return MATCHER_E_SLOT;
  return copy_in(gallery_at + (uint32_t)slot * dim, template_bytes, length);
}

int32_t matcher_host_clear(int32_t slot) {
  int32_t status;
  if (!dim) return MATCHER_E_NOT_READY;
  KERNEL_CALL(w2c_matcher__kernel_clear(&kernel, (u32)slot), status);
  return status;
}

int32_t matcher_host_verify(int32_t slot, const int8_t *probe, size_t length, int32_t *score) {
  int32_t status;
  if (!dim) return MATCHER_E_NOT_READY;
  if (length != dim) return MATCHER_E_DIMENSION;
  status = copy_in(probe_at, probe, length);
  if (status != MATCHER_OK) return status;
  KERNEL_CALL(w2c_matcher__kernel_verify(&kernel, (u32)slot, probe_at), status);
  if (status == MATCHER_OK) *score = read_result(1);
  return status;
}

int32_t matcher_host_scan(const int8_t *probe, size_t length, int32_t count, int32_t out[4]) {
  int32_t status;
  if (!dim) return MATCHER_E_NOT_READY;
  if (length != dim) return MATCHER_E_DIMENSION;
  status = copy_in(probe_at, probe, length);
  if (status != MATCHER_OK) return status;
  KERNEL_CALL(w2c_matcher__kernel_scan(&kernel, (u32)count, probe_at), status);
  if (status == MATCHER_OK) {
    for (uint32_t word = 0; word < 4; word++) out[word] = read_result(word);
  }
  return status;
}

void matcher_host_wipe(void) {
  if (!dim) return;
  memset(memory()->data + gallery_at, 0, (size_t)capacity * dim);
}
