import { hash } from 'node:crypto';
import type { OutboundMessage } from '../events.js';
import type { OutboxRecord } from './outbox-store.js';

/**
 * The byte form of an outbox record: `version | checksum | header length | header JSON | payload`.
 * The checksum (SHA-256, first 8 bytes, over everything after it) lets a replay tell a damaged
 * record from a good one instead of publishing garbage; the payload stays raw bytes so binary
 * messages survive unchanged.
 */
const FORMAT_VERSION = 1;
const CHECKSUM_BYTES = 8;
const BODY_OFFSET = 1 + CHECKSUM_BYTES;
const HEADER_OFFSET = BODY_OFFSET + 4;

interface RecordHeader {
  topic: string;
  acceptedAt: number;
  /** True when the payload was a string, so it is handed back as one. */
  text: boolean;
  qos?: OutboundMessage['qos'];
  retain?: boolean;
  broker?: string;
  eventId?: string;
  expirySeconds?: number;
}

export function encodeSequence(sequence: number): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(BigInt(sequence));
  return key;
}

/** The sequence a key holds, or undefined for a key that is not a record's. */
export function decodeSequence(key: Buffer): number | undefined {
  if (key.length !== 8) return undefined;
  const sequence = key.readBigUInt64BE();
  return sequence <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sequence) : undefined;
}

export function encodeRecord({ message, acceptedAt }: OutboxRecord): Buffer {
  const { topic, payload, qos, retain, broker, eventId, expirySeconds } = message;
  const header: RecordHeader = { topic, acceptedAt, text: typeof payload === 'string' };
  if (qos !== undefined) header.qos = qos;
  if (retain !== undefined) header.retain = retain;
  if (broker !== undefined) header.broker = broker;
  if (eventId !== undefined) header.eventId = eventId;
  if (expirySeconds !== undefined) header.expirySeconds = expirySeconds;
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const payloadBytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;

  const value = Buffer.allocUnsafe(HEADER_OFFSET + headerBytes.length + payloadBytes.length);
  value.writeUInt8(FORMAT_VERSION, 0);
  value.writeUInt32BE(headerBytes.length, BODY_OFFSET);
  headerBytes.copy(value, HEADER_OFFSET);
  payloadBytes.copy(value, HEADER_OFFSET + headerBytes.length);
  checksum(value).copy(value, 1);
  return value;
}

/** The record a stored value holds, or a description of why it cannot be one. */
export function decodeRecord(
  sequence: number,
  value: Buffer,
): { record: OutboxRecord } | { problem: string } {
  if (value.length < HEADER_OFFSET) return { problem: `only ${value.length} bytes` };
  if (value.readUInt8(0) !== FORMAT_VERSION) {
    return { problem: `unknown format version ${value.readUInt8(0)}` };
  }
  if (!checksum(value).equals(value.subarray(1, BODY_OFFSET))) {
    return { problem: 'checksum mismatch' };
  }
  const headerLength = value.readUInt32BE(BODY_OFFSET);
  const payloadOffset = HEADER_OFFSET + headerLength;
  if (payloadOffset > value.length) return { problem: 'header runs past the end' };
  let header: RecordHeader;
  try {
    header = JSON.parse(value.toString('utf8', HEADER_OFFSET, payloadOffset)) as RecordHeader;
  } catch {
    return { problem: 'unreadable header' };
  }
  if (typeof header.topic !== 'string' || typeof header.acceptedAt !== 'number') {
    return { problem: 'header lacks topic or acceptance time' };
  }
  const payloadBytes = Buffer.from(value.subarray(payloadOffset));
  const { text, acceptedAt, ...fields } = header;
  const message: OutboundMessage = {
    ...fields,
    payload: text ? payloadBytes.toString('utf8') : payloadBytes,
  };
  return { record: { sequence, message, acceptedAt } };
}

function checksum(value: Buffer): Buffer {
  // The one-shot form: no Hash object per record, which shows on the hot path.
  return hash('sha256', value.subarray(BODY_OFFSET), 'buffer').subarray(0, CHECKSUM_BYTES);
}
