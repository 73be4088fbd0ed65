import { expect } from '@jest/globals';

/**
 * jest's "some number" and "some string" matchers, typed as what they stand for, so the object
 * literal around them keeps its type check. `@jest/globals` types them as asymmetric matchers
 * (the global `expect` as `any`); jest compares them by their `asymmetricMatch`.
 */
export const someNumber = (): number => expect.any(Number) as unknown as number;
export const someString = (): string => expect.any(String) as unknown as string;
