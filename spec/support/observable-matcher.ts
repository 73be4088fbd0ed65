/** What a `TestScheduler` asserts on each expectation, as RxJS's own specs do: deep equality. */
export function observableMatcher(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
}
