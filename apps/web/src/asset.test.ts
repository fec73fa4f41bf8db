import { loadMnistMini } from '@semix/datasets/node';
import { describe, expect, it } from 'vitest';
import { decodeAsset, encodeAsset } from './asset';
import { resolveDemoOptions } from './demo';

describe('the mnist-mini asset', () => {
  const splits = loadMnistMini();
  const bytes = encodeAsset(splits);

  it('decodes to the splits loadMnistMini gives (pixels, labels, names, shape, normalisation, checksums)', () => {
    const decoded = decodeAsset(bytes);
    for (const split of ['train', 'test'] as const) {
      const a = decoded[split];
      const b = splits[split];
      expect(Buffer.from(a.images).equals(Buffer.from(b.images))).toBe(true);
      expect(Buffer.from(a.labels).equals(Buffer.from(b.labels))).toBe(true);
      const { images: _a, labels: _b, ...metaA } = a;
      const { images: _c, labels: _d, ...metaB } = b;
      expect(metaA).toEqual(metaB);
    }
    expect(decoded.train.labels.length).toBe(7000);
    expect(decoded.test.labels.length).toBe(1500);
  });

  it('refuses another file and a truncated one, saying why', () => {
    const other = bytes.slice();
    other[0] = 0x58;
    expect(() => decodeAsset(other)).toThrow(/starts with 'XEMIXDS1', expected 'SEMIXDS1'/);
    expect(() => decodeAsset(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodeAsset(longer)).toThrow(/expected \d+ from its header/);
  });
});

describe('the demo options', () => {
  it('fill defaults, and errors name the field, the value and what is allowed', () => {
    expect(resolveDemoOptions({ method: 'cutmix', sem: false }).beta).toBe(0.1);
    expect(() => resolveDemoOptions({ method: 'fmix' as never })).toThrow(
      "method: 'fmix' is not valid; allowed: erm, mixup, cutmix",
    );
    expect(() => resolveDemoOptions({ method: 'erm', sem: true })).toThrow(/sem: true needs a mix/);
    expect(() => resolveDemoOptions({ beta: 0 })).toThrow('beta: 0 is not valid; expected a number > 0');
    expect(() => resolveDemoOptions({ steps: 2.5 })).toThrow('steps: 2.5 is not valid; expected an integer >= 1');
  });
});
