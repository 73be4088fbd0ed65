import type { DropReason } from '../events.js';
import type { DatagramSender } from './log-appender-events.js';

export type ParseProblemReason = Extract<DropReason, 'malformed' | 'unknown-type'>;

export interface ParseProblem {
  readonly reason: ParseProblemReason;
  /** One line saying what is wrong, e.g. `expected 11 fields, got 8`. */
  readonly detail: string;
}

/** What a datagram parser gives: the event, or why there is none. */
export type DatagramParseResult<Event> =
  | {
      readonly event: Event;
      /** Names of the fields that cleaning changed; empty when none. */
      readonly cleanedFields: readonly string[];
    }
  | { readonly problem: ParseProblem };

/** Turns one datagram into an event, or says why it cannot. Pure: never throws, never logs. */
export type DatagramParser<Event> = (
  bytes: Buffer,
  sender: DatagramSender,
  listener: string,
  receivedAt: number,
) => DatagramParseResult<Event>;

export function parseProblem(
  reason: ParseProblemReason,
  detail: string,
): { readonly problem: ParseProblem } {
  return { problem: { reason, detail } };
}

/** A field as a problem message quotes it: at most `max` characters. */
export function shortenField(value: string, max = 100): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
