import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Leaderboard, MethodRow } from './leaderboard';
import { luminance, markerSvg, methodStyles, mixColor, POLICY_HUES } from './palette';

/** A committed board (its methods in the grid's older `{ name: 'mixup+sem' }` shape, which the palette reads too). */
const board = (preset: string): Leaderboard =>
  JSON.parse(readFileSync(join(import.meta.dirname, '__fixtures__', 'boards', preset, 'leaderboard.json'), 'utf8'));

describe('the palette', () => {
  it('mixes colours channel by channel', () => {
    // 0 + (255 − 0) · 0.5 = 127.5 → 128 (0x80).
    expect(mixColor('#000000', '#ffffff', 0.5)).toBe('#808080');
    // #1f77b4 = (31, 119, 180) · 0.6 = (18.6, 71.4, 108) → (19, 71, 108) = #13476c.
    expect(mixColor('#1f77b4', '#000000', 0.4)).toBe('#13476c');
    expect(luminance('#ffffff')).toBeCloseTo(1, 12);
    expect(luminance('#000000')).toBe(0);
  });

  it('pairs a method with its +SEM twin: one hue, the twin darker and filled, the base hollow', () => {
    const styles = methodStyles(board('quick').rows);
    expect(Object.keys(styles).sort()).toEqual(['cutmix', 'cutmix+sem', 'erm', 'mixup', 'mixup+sem']);
    for (const base of ['mixup', 'cutmix']) {
      const plain = styles[base];
      const twin = styles[`${base}+sem`];
      expect(twin.policy).toBe(base);
      expect(twin.hue).toBe(plain.hue);
      expect(plain.hue).toBe(POLICY_HUES[base]);
      expect(plain.color).toBe(plain.hue);
      expect(twin.color).toBe(mixColor(plain.hue, '#000000', 0.4));
      expect(luminance(twin.color)).toBeLessThan(luminance(plain.color));
      expect([plain.filled, twin.filled]).toEqual([false, true]);
    }
    // Families differ in hue.
    expect(new Set(['erm', 'mixup', 'cutmix'].map((l) => styles[l].hue)).size).toBe(3);
  });

  it('does not depend on the ranking: the rows in another order get the same styles', () => {
    const rows = board('quick').rows;
    expect(methodStyles([...rows].reverse())).toEqual(methodStyles(rows));
  });

  it('gives each SEM configuration of one base its own darker shade of the hue', () => {
    const styles = methodStyles(board('sem-ablation').rows);
    const sem = Object.entries(styles).filter(([label]) => label.startsWith('mixup+sem'));
    expect(sem.length).toBe(6);
    expect(sem.every(([, s]) => s.hue === POLICY_HUES.mixup && s.filled)).toBe(true);
    expect(new Set(sem.map(([, s]) => s.color)).size).toBe(6);
    // Shades of one hue are close: each also takes the next marker shape in turn.
    expect(sem.map(([, s]) => s.marker)).toEqual(['circle', 'square', 'triangle', 'circle', 'square', 'triangle']);
    expect(sem.every(([, s]) => luminance(s.color) < luminance(styles.mixup.color))).toBe(true);
  });

  it('draws an A/A row as its twin, a diamond with dashes; a second configuration lighter', () => {
    const rows = board('quick').rows;
    const erm = rows.find((r) => r.label === 'erm') as MethodRow;
    const mixup = rows.find((r) => r.label === 'mixup') as MethodRow;
    const otherAlpha = {
      ...mixup,
      label: 'mixup α=0.2',
      method: { ...mixup.method, mix: { ...mixup.method.mix, alpha: 0.2 } },
    };
    const styles = methodStyles([...rows, { ...erm, label: 'erm (A/A)' }, otherAlpha as MethodRow]);
    expect(styles['erm (A/A)']).toEqual({ ...styles.erm, marker: 'diamond', dash: '4 3' });
    expect(styles.erm).toMatchObject({ marker: 'circle', dash: '' });
    // 'mixup' sorts before 'mixup α=0.2': the first configuration keeps the hue, the second is lighter.
    expect(styles['mixup α=0.2'].hue).toBe(styles.mixup.hue);
    expect(styles['mixup α=0.2'].color).toBe(mixColor(POLICY_HUES.mixup, '#ffffff', 0.3));
    // SEM twins stay with their own configuration (α = 1).
    expect(styles['mixup+sem'].color).toBe(mixColor(POLICY_HUES.mixup, '#000000', 0.4));
  });

  it('draws the marker its style says', () => {
    const styles = methodStyles(board('quick').rows);
    expect(markerSvg(styles['mixup+sem'], 10, 20, 3)).toBe(
      `<circle cx="10.0" cy="20.0" r="3" fill="${styles['mixup+sem'].color}" stroke="${styles['mixup+sem'].color}" stroke-width="1.5"></circle>`,
    );
    expect(markerSvg({ ...styles.mixup, marker: 'diamond' }, 10, 20, 3)).toMatch(
      /^<polygon points="10\.0,16\.1 13\.9,20\.0 10\.0,23\.9 6\.1,20\.0" fill="#ffffff"/,
    );
    // A square of half-side 0.9 · 3 = 2.7 around (10, 20).
    expect(markerSvg({ ...styles.mixup, marker: 'square' }, 10, 20, 3, ' class="dot"')).toMatch(
      /^<polygon class="dot" points="7\.3,17\.3 12\.7,17\.3 12\.7,22\.7 7\.3,22\.7" fill="#ffffff"/,
    );
  });
});
