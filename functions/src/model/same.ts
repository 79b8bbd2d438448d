/** Compile-time checks that a schema and the model's plain type describe the same data. */

/** True when A and B are the same type: each assignable to the other, with the same fields. */
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
