import { createHash } from 'node:crypto';

/** SHA-256 over images then labels: identifies the exact data a result was computed on. */
export function checksumOf(images: Uint8Array, labels: Uint8Array): string {
  return createHash('sha256').update(images).update(labels).digest('hex');
}
