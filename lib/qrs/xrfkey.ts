import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const XRFKEY_LENGTH = 16;

/** A fresh cross-site request forgery key: 16 characters from A-Z a-z 0-9, uniformly drawn. */
export function newXrfKey(): string {
  let key = '';
  for (let i = 0; i < XRFKEY_LENGTH; i += 1) key += ALPHABET[randomInt(ALPHABET.length)];
  return key;
}
