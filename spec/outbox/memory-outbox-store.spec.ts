import { expect, it } from '@jest/globals';
import { MemoryOutboxStore } from '../../lib/outbox/memory-outbox-store.js';
import { describeOutboxStore } from './outbox-store.contract.js';

describeOutboxStore('MemoryOutboxStore', () => {
  const store = new MemoryOutboxStore();
  return { store, reopen: () => store }; // memory survives a close, not the process
});

it('is not durable', () => {
  expect(new MemoryOutboxStore().durable).toBe(false);
});
