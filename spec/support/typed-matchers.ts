/**
 * jest's "some number" and "some string" matchers, typed as what they stand for: jest types
 * `expect.any(...)` as `any`, which would switch off the type check of the object around it.
 */
export const someNumber = (): number => expect.any(Number) as number;
export const someString = (): string => expect.any(String) as string;
