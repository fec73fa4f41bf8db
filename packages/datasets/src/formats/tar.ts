import { createReadStream } from 'node:fs';
import { join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { writeChecked } from '../checksum';

export interface ExtractOptions {
  /** Which entries to keep, by path inside the archive; others are skipped. */
  keep: (entryPath: string) => boolean;
  /** Where kept entries are written (the basename of each entry, atomically). */
  outDir: string;
  gzip: boolean;
}

/**
 * Streams a tar (or tar.gz) archive and writes the kept regular files into `outDir`, each atomically with its
 * SHA-256 beside it (`writeChecked`: unpacked files are checked when read, as generated ones are). Entries
 * whose path is absolute or climbs out with `..` are refused. Returns the written files by entry path.
 */
export async function extractTar(archive: string, options: ExtractOptions): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  const extractor = tarExtract();
  const done = (async () => {
    for await (const entry of extractor) {
      const name = entry.header.name;
      const clean = normalize(name);
      if (clean.startsWith('/') || clean.split(/[\\/]/).includes('..')) {
        entry.resume();
        throw new Error(`${archive}: entry '${name}' has an unsafe path`);
      }
      if (entry.header.type !== 'file' || !options.keep(clean)) {
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const out = join(options.outDir, clean.split('/').pop() as string);
      await writeChecked(out, Buffer.concat(chunks));
      written.set(clean, out);
    }
  })();
  const source = createReadStream(archive);
  const feed = options.gzip ? pipeline(source, createGunzip(), extractor) : pipeline(source, extractor);
  try {
    await Promise.all([feed, done]);
  } catch (error) {
    source.destroy();
    extractor.destroy();
    await Promise.allSettled([feed, done]);
    throw error instanceof Error && !error.message.startsWith(archive)
      ? new Error(`${archive}: cannot read the archive (${error.message})`)
      : error;
  }
  return written;
}
