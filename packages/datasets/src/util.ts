// Browser-safe helpers (no Node built-ins): the main entry imports them. checksumOf, which hashes with
// node:crypto, lives in checksum.ts.

/** Rejects names that could escape a directory, before any file system access. */
export function checkSafeName(field: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || /[\\/]|\.\./.test(name) || name.includes('\0')) {
    throw new Error(`${field}: ${JSON.stringify(name)} is not allowed; names may not contain '/', '\\' or '..'`);
  }
}

/** A 32-bit FNV-1a hash of a string, to derive per-item seeds. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
