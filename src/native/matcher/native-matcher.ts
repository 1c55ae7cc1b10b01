// The board's Matcher: BindingMatcher over the native module. The C side
// holds a single kernel instance, so only one NativeMatcher may exist at a
// time; a second would silently re-lay out (and zero) the first's gallery.
import type { MatcherBinding } from "../../core/matcher/binding";
import { BindingMatcher } from "../../core/matcher/binding-matcher";
import { OptgateError } from "../../core/errors";
import * as native from "./matcher";

const binding: MatcherBinding = native;
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
