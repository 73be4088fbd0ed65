/**
 * How hard the fault scenarios push: `short` under `npm test`, `long` under `npm run test:faults`
 * (FAULT_MODE=long). Every choice a scenario makes at random comes from FAULT_SEED, so a run is
 * repeated by giving the seed it printed.
 */
export const FAULT_MODE: 'short' | 'long' = process.env.FAULT_MODE === 'long' ? 'long' : 'short';

const DEFAULT_SEED = 20250321;

export const FAULT_SEED = seedFrom(process.env.FAULT_SEED);

/** A number from the environment variable `name` if set, else the current mode's value. */
export function faultSetting(name: string, short: number, long: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return FAULT_MODE === 'long' ? long : short;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${text} is not a number`);
  return value;
}

function seedFrom(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_SEED;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FAULT_SEED=${text} is not an integer`);
  return seed;
}
