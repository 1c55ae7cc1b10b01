/*
 * Host harness for the board's C matcher path: the wasm2c output of the
 * kernel plus src/native/matcher/matcher_host.c, built with the host gcc by
 * test/wasm/c-harness.node.test.ts (also under -fsanitize=address).
 *
 *   harness golden <input.bin>   golden vectors: one result row per probe
 *   harness bad                  bad inputs: one "name status" line each
 *
 * golden input, little-endian: int32 dim, count, probes; int8 gallery
 * [count*dim]; int8 probes[probes*dim]; int32 verify slots[probes].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher_host.h"
#include "matcher_kernel.h"
#include "wasm-rt-exceptions.h"
#include "wasm-rt-impl.h"

static int golden(const char *path) {
  FILE *file = fopen(path, "rb");
  int32_t header[3];
  if (!file || fread(header, sizeof header, 1, file) != 1) return 2;
  int32_t dim = header[0], count = header[1], probes = header[2];
  int8_t *gallery = malloc((size_t)count * dim);
  int8_t *probe_bytes = malloc((size_t)probes * dim);
  int32_t *slots = malloc((size_t)probes * sizeof(int32_t));
  if (fread(gallery, (size_t)dim, (size_t)count, file) != (size_t)count ||
      fread(probe_bytes, (size_t)dim, (size_t)probes, file) != (size_t)probes ||
      fread(slots, sizeof(int32_t), (size_t)probes, file) != (size_t)probes) return 2;
  fclose(file);
  int32_t status = matcher_host_init(dim, count);
  for (int32_t slot = 0; status == MATCHER_OK && slot < count; slot++) {
    status = matcher_host_load(slot, gallery + (size_t)slot * dim, (size_t)dim);
  }
  for (int32_t p = 0; status == MATCHER_OK && p < probes; p++) {
    const int8_t *probe = probe_bytes + (size_t)p * dim;
    int32_t score = 0, out[4];
    status = matcher_host_verify(slots[p], probe, (size_t)dim, &score);
    if (status == MATCHER_OK) status = matcher_host_scan(probe, (size_t)dim, count, out);
    if (status == MATCHER_OK) printf("%d %d %d %d %d %d\n", slots[p], score, out[0], out[1], out[2], out[3]);
  }
  free(gallery);
  free(probe_bytes);
  free(slots);
  if (status != MATCHER_OK) printf("status %d\n", status);
  return status == MATCHER_OK ? 0 : 1;
}

/* Each line: what was attempted and the status it got. The test compares them with the expected codes. */
static void report(const char *name, int32_t status) {
  printf("%s %d\n", name, status);
}

static int bad(void) {
  enum { D = 128, N = 4 };
  int8_t probe[2 * D];
  int32_t score = 0, out[4];
  memset(probe, 1, sizeof probe);

  report("load-before-init", matcher_host_load(0, probe, D));
  report("scan-before-init", matcher_host_scan(probe, D, 1, out));
  report("init-dim-100", matcher_host_init(100, N));
  report("init-dim-8192", matcher_host_init(8192, N));
  report("init-capacity-0", matcher_host_init(D, 0));
  report("init-capacity-huge", matcher_host_init(D, (1 << 20) + 1));
  report("init-too-big-for-memory", matcher_host_init(4096, 1 << 20));
  report("init", matcher_host_init(D, N));
  for (int32_t slot = 0; slot < N; slot++) matcher_host_load(slot, probe, D);
  report("scan-n-beyond-capacity", matcher_host_scan(probe, D, N + 1, out));
  report("scan-n-huge", matcher_host_scan(probe, D, 0x7fffffff, out));
  report("scan-n-negative", matcher_host_scan(probe, D, -1, out));
  report("scan-empty", matcher_host_scan(probe, D, 0, out));
  report("scan-dim-mismatch", matcher_host_scan(probe, 2 * D, N, out));
  report("verify-dim-mismatch", matcher_host_verify(0, probe, D - 16, &score));
  report("load-dim-mismatch", matcher_host_load(0, probe, 2 * D));
  report("verify-slot-beyond", matcher_host_verify(N, probe, D, &score));
  report("verify-slot-negative", matcher_host_verify(-1, probe, D, &score));
  report("load-slot-beyond", matcher_host_load(N, probe, D));
  report("clear-slot-beyond", matcher_host_clear(N));
  report("scan-full", matcher_host_scan(probe, D, N, out));
  report("scan-full-best-score", out[1]);

  /*
   * The kernel itself, on its own instance, bypassing matcher_host's checks:
   * a probe offset off the end of memory must be refused, not read.
   */
  w2c_matcher__kernel raw;
  wasm2c_matcher__kernel_instantiate(&raw);
  report("kernel-init", (int32_t)w2c_matcher__kernel_init(&raw, D, N));
  uint32_t size = (uint32_t)w2c_matcher__kernel_memory(&raw)->size;
  report("kernel-probe-off-end", (int32_t)w2c_matcher__kernel_verify(&raw, 0, size - D + 1));
  report("kernel-probe-wraps", (int32_t)w2c_matcher__kernel_scan(&raw, 1, 0xfffffff0u));
  report("kernel-probe-last", (int32_t)w2c_matcher__kernel_verify(&raw, 0, size - D));

  /*
   * A kernel bug simulated: the runtime's view of memory shrunk under the
   * kernel, so its entry check passes but a load is out of range. wasm2c's
   * bounds check must trap and wasm_rt_impl_try() must catch it.
   */
  raw.w2c_memory.size = w2c_matcher__kernel_galleryPtr(&raw) + D;
  int32_t status;
  if (wasm_rt_impl_try() != WASM_RT_TRAP_NONE) {
    status = MATCHER_E_TRAP;
  } else {
    status = (int32_t)w2c_matcher__kernel_scan(&raw, N, w2c_matcher__kernel_probePtr(&raw));
  }
  report("kernel-oob-traps", status);
  raw.w2c_memory.size = size;
  wasm2c_matcher__kernel_free(&raw);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "golden") == 0) return golden(argv[2]);
  if (argc == 2 && strcmp(argv[1], "bad") == 0) return bad();
  fprintf(stderr, "usage: harness golden <input.bin> | harness bad\n");
  return 2;
}
