/** The states of the Windows service manager, by sc.exe's names; every probe maps to these. */
export const SERVICE_STATES = [
  'STOPPED',
  'START_PENDING',
  'STOP_PENDING',
  'RUNNING',
  'CONTINUE_PENDING',
  'PAUSE_PENDING',
  'PAUSED',
] as const;

export type ServiceState = (typeof SERVICE_STATES)[number];

export function isServiceState(value: unknown): value is ServiceState {
  return SERVICE_STATES.includes(value as ServiceState);
}

/** What a probe read about one service. Details it cannot know are left out. */
export interface ServiceReading {
  readonly state: ServiceState;
  readonly displayName?: string;
  /** Butler's words where they apply: `Automatic`, `Manual`, `Disabled`. */
  readonly startType?: string;
  readonly exePath?: string;
  readonly dependencies?: readonly string[];
}

/** The only two values Butler ever puts in `serviceStatus`. */
export type ButlerServiceStatus = 'RUNNING' | 'STOPPED';

/** Butler's reading (facts 6.2): STOPPED is stopped, every other state counts as running. */
export function butlerStatusOf(state: ServiceState): ButlerServiceStatus {
  return state === 'STOPPED' ? 'STOPPED' : 'RUNNING';
}
