// The board's Matcher: BindingMatcher over the native module. The C side
// holds a single kernel instance, so only one NativeMatcher may exist at a
// time; a second would silently re-lay out (and zero) the first's gallery.
import type { MatcherBinding } from "../../core/matcher/binding";
import { BindingMatcher } from "../../core/matcher/binding-matcher";
import { OptgateError } from "../../core/errors";
import * as native from "./matcher";

// xsmc hands C only byte-sized views or ArrayBuffers, so results come back
// in a buffer of our own and are copied into the caller's Int32Array.
const words = new Int32Array(4);
const binding: MatcherBinding = {
  init: native.init,
  load: native.load,
  clear: native.clear,
  verify(slot, probe, out) {
    const status = native.verify(slot, probe, words.buffer);
    out.set(words);
    return status;
  },
  scan(probe, count, out) {
    const status = native.scan(probe, count, words.buffer);
    out.set(words);
    return status;
  },
  wipe: native.wipe,
};
let open = false;

export class NativeMatcher extends BindingMatcher {
  constructor(dimension: number, capacity: number) {
    if (open) throw new OptgateError("E_MATCHER_IN_USE", "The native matcher is already open; close() the existing one first.");
    super(dimension, capacity, binding);
    open = true;
  }

  /** Zero the whole gallery and release the kernel for a new layout. */
  close(): void {
    if (!open) return;
    this.wipe();
    open = false;
  }
}
