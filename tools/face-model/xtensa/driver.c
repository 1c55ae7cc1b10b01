/*
 * One run of the face kernel, built for an Xtensa core and run under
 * qemu-xtensa (tools/face-model/xtensa/count.ts): the model image and the
 * frame are linked in (objcopy), the warp parameters and frame size come as
 * -D flags. It runs the board's path (wasm2c output behind face_host.c,
 * bounds-checked) or, with -DKERNEL_C, the same algorithm written in C
 * (kernel-c.c), and writes the status and the int32 outputs to stdout, so the
 * caller compares them with WebAssembly's. Also builds for the host (gcc).
 *
 * Under qemu's Linux user mode there is no operating system library: the few
 * calls the runtime needs (write, exit, sbrk, and helpers this libgcc lacks)
 * are below. None of them is on the kernel's hot path except __muldi3, which
 * the counter reports separately (the S3's LX7 multiplies 64-bit inline).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern const uint8_t _binary_image_bin_start[], _binary_image_bin_end[];
extern const uint8_t _binary_frame_bin_start[], _binary_frame_bin_end[];

#ifdef __XTENSA__
#include <stdio.h>
static long sys3(long nr, long a, long b, long c) {
  register long r2 __asm__("a2") = nr;
  register long r6 __asm__("a6") = a;
  register long r3 __asm__("a3") = b;
  register long r4 __asm__("a4") = c;
  __asm__ volatile("syscall" : "+r"(r2) : "r"(r6), "r"(r3), "r"(r4) : "memory");
  return r2;
}
static void out(const void *p, long n) { sys3(13 /* write */, 1, (long)p, n); }
void _exit(int code) {
  sys3(118 /* exit */, code, 0, 0);
  for (;;) {}
}
static uint8_t heap[8 << 20] __attribute__((aligned(16)));
static size_t heap_used;
void *sbrk(ptrdiff_t n) {
  void *p = heap + heap_used;
  if (n < 0 || heap_used + (size_t)n > sizeof heap) return (void *)-1;
  heap_used += (size_t)n;
  return p;
}
FILE *const stderr = 0;
int getpid(void) { return 1; }
int kill(int pid, int sig) { (void)pid; (void)sig; _exit(134); return 0; }
unsigned long long __muldi3(unsigned long long a, unsigned long long b) {
  uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32), bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
  uint32_t a0 = al & 0xffff, a1 = al >> 16, b0 = bl & 0xffff, b1 = bl >> 16;
  uint32_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint32_t mid = (p00 >> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  uint32_t lo = (p00 & 0xffff) | (mid << 16);
  uint32_t hi = p11 + (p01 >> 16) + (p10 >> 16) + (mid >> 16) + al * bh + ah * bl;
  return ((unsigned long long)hi << 32) | lo;
}
unsigned long long __udivdi3(unsigned long long n, unsigned long long d) {
  unsigned long long q = 0, r = 0;
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) { r -= d; q |= 1ull << i; }
  }
  return q;
}
unsigned long long __umoddi3(unsigned long long n, unsigned long long d) { return n - __udivdi3(n, d) * d; }
unsigned __udivsi3(unsigned n, unsigned d) { return (unsigned)__udivdi3(n, d); }
unsigned __umodsi3(unsigned n, unsigned d) { return n - __udivsi3(n, d) * d; }
int __divsi3(int n, int d) {
  unsigned q = __udivsi3(n < 0 ? 0u - (unsigned)n : (unsigned)n, d < 0 ? 0u - (unsigned)d : (unsigned)d);
  return (n < 0) != (d < 0) ? -(int)q : (int)q;
}
#else
#include <unistd.h>
static void out(const void *p, long n) {
  if (write(1, p, (size_t)n) != n) _exit(3);
}
#endif

static int32_t result[32768];

#ifdef KERNEL_C
#include <stdlib.h>
void face_c_run(const uint8_t *image, uint8_t *arena, const uint8_t *frame, int32_t fw, int32_t fh, int32_t format, const int32_t *m);
static uint32_t u32le(const uint8_t *p, uint32_t o) { uint32_t v; memcpy(&v, p + o, 4); return v; }
static uint32_t u16le(const uint8_t *p, uint32_t o) { return (uint32_t)p[o] | ((uint32_t)p[o + 1] << 8); }

int main(void) {
  const int32_t m[6] = { M0, M1, M2, M3, M4, M5 };
  const uint8_t *image = _binary_image_bin_start;
  uint32_t tensors = u16le(image, 58), table = u32le(image, 64), i;
  uint8_t *arena = calloc(1, u32le(image, 48));
  int32_t status = 0;
  size_t n = 0;
  face_c_run(image, arena, _binary_frame_bin_start, FRAME_W, FRAME_H, FORMAT, m);
  for (i = 0; i < tensors; i++) {
    const uint8_t *t = image + table + i * 16;
    size_t count = (size_t)u16le(t, 4) * u16le(t, 6) * u16le(t, 8);
    if (t[10] != 4) continue;
    memcpy(result + n, arena + u32le(t, 0), count * 4);
    n += count;
  }
  out(&status, 4);
  out(result, (long)n * 4);
  return 0;
}
#else
#include "face_host.h"
static face_host_t host;

int main(void) {
  const int32_t m[6] = { M0, M1, M2, M3, M4, M5 };
  size_t image_length = (size_t)(_binary_image_bin_end - _binary_image_bin_start);
  size_t frame_length = (size_t)(_binary_frame_bin_end - _binary_frame_bin_start), dim = 0;
  uint32_t arena;
  int32_t status;
  memcpy(&arena, _binary_image_bin_start + 48, 4);
  status = face_host_init(&host, (uint32_t)image_length, (uint32_t)frame_length, arena);
  if (status == FACE_OK) status = face_host_load(&host, _binary_image_bin_start, image_length);
  if (status == FACE_OK) status = face_host_embed_warped(&host, _binary_frame_bin_start, frame_length, FRAME_W, FRAME_H, FORMAT, m, result, 32768, &dim);
  out(&status, 4);
  out(result, (long)dim * 4);
  return 0;
}
#endif

#ifdef __XTENSA__
void _start(void) { _exit(main()); }
#endif
