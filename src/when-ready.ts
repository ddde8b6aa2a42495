/**
 * For calls that answer at once or later (startApp answers an array body at once, a stream later):
 * the ready case, the hot path, costs neither a promise nor a closure.
 */

/** Calls `then(value, a, b)` now when `value` is ready, else once it resolves (rejections pass through). */
export function whenReady<T, R, A, B = undefined>(
  value: T | Promise<T>,
  then: (value: T, a: A, b: B) => R,
  a: A,
  b?: B,
): R | Promise<R> {
  if (value instanceof Promise) return value.then((ready: T) => then(ready, a, b as B));
  return then(value, a, b as B);
}
