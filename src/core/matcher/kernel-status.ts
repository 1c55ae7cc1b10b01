// Status codes returned by the matcher kernel (wasm/matcher.ts, and the same
// code translated to C by wasm2c for the board). Kept in step by hand with the
// constants at the top of wasm/matcher.ts; test/wasm checks every one.
import { OptgateError } from "../errors";

export const KERNEL_OK = 0;
export const KERNEL_E_DIMENSION = -1;
export const KERNEL_E_CAPACITY = -2;
export const KERNEL_E_SLOT = -3;
export const KERNEL_E_COUNT = -4;
export const KERNEL_E_PROBE = -5;
export const KERNEL_E_NOT_READY = -6;
export const KERNEL_E_MEMORY = -7;
/** Not from the kernel: the C host caught a wasm2c trap (matcher_host.c). */
export const KERNEL_E_TRAP = -8;

/** Index and score the kernel writes for "no such template" (e.g. no second best in a gallery of one). */
export const ABSENT_INDEX = -1;
export const ABSENT_SCORE = -2147483648;

/** Results live in kernel memory as four i32: best index, best score, second index, second score. */
export const RESULT_WORDS = 4;

/**
 * The wrappers validate arguments before calling the kernel, so a non-zero
 * status means a wrapper and the kernel disagree: refuse loudly.
 */
export function checkKernelStatus(status: number, operation: string): void {
  if (status === KERNEL_OK) return;
  switch (status) {
    case KERNEL_E_DIMENSION:
      throw new OptgateError("E_MATCHER_DIMENSION", `The matcher kernel refused the template dimension in ${operation}.`);
    case KERNEL_E_CAPACITY:
      throw new OptgateError("E_MATCHER_CAPACITY", `The matcher kernel refused the capacity in ${operation}.`);
    case KERNEL_E_SLOT:
      throw new OptgateError("E_MATCHER_SLOT", `The matcher kernel refused the slot in ${operation}.`);
    case KERNEL_E_COUNT:
      throw new OptgateError("E_MATCHER_CAPACITY", `The matcher kernel refused the template count in ${operation}.`);
    case KERNEL_E_PROBE:
      throw new OptgateError("E_MATCHER_PROBE", `The matcher kernel found the probe outside its memory in ${operation}.`);
    case KERNEL_E_NOT_READY:
      throw new OptgateError("E_MATCHER_NOT_READY", `The matcher kernel was used before init in ${operation}.`);
    case KERNEL_E_MEMORY:
      throw new OptgateError("E_MATCHER_MEMORY", `The matcher kernel could not get memory for the gallery in ${operation}; lower the capacity.`);
    case KERNEL_E_TRAP:
      throw new OptgateError("E_MATCHER_TRAP", `The matcher kernel trapped in ${operation}; nothing was read out of bounds, but the firmware has a bug to report.`);
    default:
      throw new OptgateError("E_MATCHER_KERNEL", `The matcher kernel returned unknown status ${status} in ${operation}.`);
  }
}
