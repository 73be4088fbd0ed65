/**
 * Shapes of the Repository Service (QRS) objects the relay reads. Only the fields the relay uses
 * are named; the index signatures keep everything else, because whole objects are passed through
 * untouched into message payloads.
 */

export interface QrsTag {
  readonly id: string;
  readonly name: string;
  readonly [field: string]: unknown;
}

export interface QrsCustomPropertyDefinition {
  readonly id: string;
  readonly name: string;
  readonly valueType?: string;
  readonly choiceValues?: readonly string[];
  readonly [field: string]: unknown;
}

/** One value of a custom property; a multi-value property appears once per value. */
export interface QrsCustomPropertyValue {
  readonly id?: string;
  readonly value: string;
  readonly definition: QrsCustomPropertyDefinition;
  readonly [field: string]: unknown;
}

/** Task type numbers: 0 reload, 1 external program, 2 user sync, 3 distribute, 4 preload. */
export type QrsTaskType = number;

/** An element of `GET /qrs/task` (the condensed form). */
export interface QrsTask {
  readonly id: string;
  readonly name: string;
  /** Absent means reload, as Butler reads it. */
  readonly taskType?: QrsTaskType;
  readonly enabled?: boolean;
  readonly [field: string]: unknown;
}

/** An element of `GET /qrs/task/full`. */
export interface QrsTaskFull extends QrsTask {
  readonly tags: readonly QrsTag[];
  readonly customProperties: readonly QrsCustomPropertyValue[];
}

/** An element of `GET /qrs/app/full`. */
export interface QrsAppFull {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly QrsTag[];
  readonly customProperties: readonly QrsCustomPropertyValue[];
  readonly [field: string]: unknown;
}

/** The body of `GET /qrs/license`. */
export interface QrsLicense {
  readonly isExpired: boolean;
  /** Free text with lines such as `Valid To: 2026-12-31`. */
  readonly keyDetails: string;
  readonly [field: string]: unknown;
}
