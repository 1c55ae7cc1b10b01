// node:assert/strict for XS: the subset our tests use, with the same semantics
// (strict equality, structural deep equality including typed arrays, Maps, Sets).
export class AssertionError extends Error {
  override name = "AssertionError";
}

function show(value: unknown): string {
  try {
    if (typeof value === "bigint") return `${value}n`;
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}[${Array.from(value as Uint8Array).join(",")}]`;
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

function fail(message: string | Error | undefined, fallback: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof ArrayBuffer) return isDeepEqual(new Uint8Array(a), new Uint8Array(b as ArrayBuffer));
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return false;
    for (const [k, v] of a) if (!m.has(k) || !isDeepEqual(v, m.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>;
    if (a.size !== s.size) return false;
    for (const v of a) if (!s.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!isDeepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

type Expected = RegExp | (new (...args: any[]) => unknown) | ((e: unknown) => boolean) | Record<string, unknown>;

function matchesExpected(error: unknown, expected: Expected | undefined): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(String((error as Error)?.message ?? error)) || expected.test(String(error));
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && error instanceof (expected as new () => unknown)) return true;
    if (expected.prototype !== undefined && Error.isPrototypeOf(expected)) return false;
    return (expected as (e: unknown) => boolean)(error) === true;
  }
  for (const [key, want] of Object.entries(expected)) {
    const got = (error as Record<string, unknown>)?.[key];
    if (want instanceof RegExp ? !want.test(String(got)) : !isDeepEqual(got, want)) return false;
  }
  return true;
}

function assert(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message, `expected truthy, got ${show(value)}`);
}

assert.ok = assert;
assert.AssertionError = AssertionError;
assert.fail = (message?: string | Error): never => fail(message, "failed");
assert.equal = assert.strictEqual = (actual: unknown, expected: unknown, message?: string | Error) => {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(actual)} to equal ${show(expected)}`);
};
assert.notEqual = assert.notStrictEqual = (actual: unknown, expected: unknown, message?: string | Error) => {
  if (Object.is(actual, expected)) fail(message, `expected ${show(actual)} to differ`);
};
assert.deepEqual = assert.deepStrictEqual = (actual: unknown, expected: unknown, message?: string | Error) => {
  if (!isDeepEqual(actual, expected)) fail(message, `expected ${show(actual)} to deep-equal ${show(expected)}`);
};
assert.notDeepEqual = assert.notDeepStrictEqual = (actual: unknown, expected: unknown, message?: string | Error) => {
  if (isDeepEqual(actual, expected)) fail(message, `expected ${show(actual)} not to deep-equal`);
};
assert.match = (text: string, pattern: RegExp, message?: string | Error) => {
  if (!pattern.test(text)) fail(message, `expected ${show(text)} to match ${pattern}`);
};
assert.doesNotMatch = (text: string, pattern: RegExp, message?: string | Error) => {
  if (pattern.test(text)) fail(message, `expected ${show(text)} not to match ${pattern}`);
};
assert.throws = (fn: () => unknown, expected?: Expected | string, message?: string | Error) => {
  if (typeof expected === "string") { message = expected; expected = undefined; }
  try {
    fn();
  } catch (error) {
    if (!matchesExpected(error, expected)) fail(message, `unexpected error: ${String((error as Error)?.message ?? error)}`);
    return;
  }
  fail(message, "expected the function to throw");
};
assert.doesNotThrow = (fn: () => unknown, message?: string | Error) => {
  try {
    fn();
  } catch (error) {
    fail(message, `unexpected throw: ${String((error as Error)?.message ?? error)}`);
  }
};
assert.rejects = async (promiseOrFn: Promise<unknown> | (() => Promise<unknown>), expected?: Expected, message?: string | Error) => {
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    if (!matchesExpected(error, expected)) fail(message, `unexpected rejection: ${String((error as Error)?.message ?? error)}`);
    return;
  }
  fail(message, "expected a rejection");
};
assert.strict = assert;

export default assert;
export const { ok, equal, strictEqual, notEqual, notStrictEqual, deepEqual, deepStrictEqual, notDeepEqual,
  notDeepStrictEqual, throws, doesNotThrow, rejects, match, doesNotMatch, strict } = assert;
const failFn = assert.fail;
export { failFn as fail };
