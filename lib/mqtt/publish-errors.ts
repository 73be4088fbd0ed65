/**
 * Why `BrokerConnection.publish` failed. Publishers retry a `BrokerUnavailableError` and give up on
 * a `PublishRejectedError`; anything else is treated as transient too.
 */

/** The connection was down when asked, or went down before the broker acknowledged. */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';

  constructor(
    readonly broker: string,
    detail: string,
  ) {
    super(`broker "${broker}": ${detail}`);
  }
}

/** The broker answered with a failure reason code (MQTT 5), e.g. 0x87 not authorized. */
export class PublishRejectedError extends Error {
  override readonly name = 'PublishRejectedError';

  constructor(
    readonly broker: string,
    readonly reasonCode: number,
    detail: string,
  ) {
    super(`broker "${broker}" rejected the message: ${detail}`);
  }
}
