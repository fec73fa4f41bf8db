/**
 * One palette for every chart, leaderboard.md's SVG files and report.html's alike: a method's colour is keyed by
 * its policy (its family: `mixup` and `mixup+sem` share a hue), so a method and its +SEM twin read as a pair in
 * every chart. The twin is a darker shade of the hue with a filled marker, the plain method the hue with a hollow
 * one; an A/A control (its twin's method again, on another seed stream) is its twin's style with a diamond and a
 * dashed line. A second configuration of a policy (another α, say) is a lighter shade; several SEM configurations of
 * one base (an ablation) are darker shades, each with its own marker shape. Styles depend on the labels
 * and methods alone, never on the ranking, so a method keeps its colour from one board to the next.
 */
import { AA_MARKER, isAaLabel } from '../plan/controls';
import { currentMethod } from './stored_method';
import type { MethodRow } from './types';

/**
 * The hue of each policy. The baseline is neutral grey; the rest are mostly the Tableau 10 colours (designed to be
 * told apart), one per policy, so the hue says the family before the legend is read.
 */
export const POLICY_HUES: Readonly<Record<string, string>> = {
  erm: '#555555',
  mixup: '#1f77b4',
  cutmix: '#ff7f0e',
  'mixup-cutmix': '#9467bd',
  manifold: '#2ca02c',
  fmix: '#e377c2',
  resizemix: '#bcbd22',
  saliencymix: '#d62728',
  regmixup: '#7b4173',
  augmix: '#8c564b',
  noise: '#17becf',
};

/** Hues for policies the table does not know (in the order of their names), after the known ones. */
const EXTRA_HUES = ['#393b79', '#637939', '#8c6d31', '#843c39', '#3182bd'];

export interface MethodStyle {
  /** The policy whose hue the method takes: a method and its +SEM twin share it. */
  policy: string;
  /** The policy's hue. */
  hue: string;
  /** The method's colour: the hue; lighter for a further configuration of the policy; darker with SEM. */
  color: string;
  /** Whether the marker is filled: with SEM; hollow (white inside) without. */
  filled: boolean;
  /**
   * A diamond for an A/A control row; a circle otherwise, but for the second, third, … SEM configuration of one base,
   * which take the next of SEM_SHAPES.
   */
  marker: MarkerShape;
  /** The SVG stroke-dasharray of the method's lines: dashed for an A/A row, '' (solid) otherwise. */
  dash: string;
}

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond';

/** The shapes SEM configurations of one base take in turn (the diamond is the A/A row's). */
const SEM_SHAPES: readonly MarkerShape[] = ['circle', 'square', 'triangle'];

/** `hex` moved a fraction `t` of the way to `target` (both #rrggbb). */
export function mixColor(hex: string, target: string, t: number): string {
  const channels = (h: string) => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
  const a = channels(hex);
  const b = channels(target);
  return `#${a
    .map((v, i) =>
      Math.round(v + (b[i] - v) * t)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Relative luminance (WCAG) of a #rrggbb colour: 0 black, 1 white. */
export function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * How far the +SEM twin is darkened; several SEM configurations of one base spread evenly over SEM_DARKEN_RANGE,
 * so each keeps a shade of its own.
 */
const SEM_DARKEN = 0.4;
const SEM_DARKEN_RANGE: [number, number] = [0.2, 0.75];
/** How far each further configuration of a policy is lightened (capped, so it stays visible on white). */
const CONFIG_LIGHTEN = 0.3;
const MAX_LIGHTEN = 0.6;

/** The darkening of the j-th of `count` SEM configurations of one base. */
function darken(j: number, count: number): number {
  if (count === 1) return SEM_DARKEN;
  const [lo, hi] = SEM_DARKEN_RANGE;
  return lo + ((hi - lo) * j) / (count - 1);
}

/**
 * The style of every row, keyed by label. Rows are grouped by policy (hue), then by their mixing options (a
 * configuration: one shade per configuration, in the order of their labels), then by SEM: the rows with SEM of one
 * configuration are darker shades of it, filled.
 */
export function methodStyles(rows: ReadonlyArray<Pick<MethodRow, 'label' | 'method'>>): Record<string, MethodStyle> {
  const styles: Record<string, MethodStyle> = {};
  const own = rows.filter((r) => !isAaLabel(r.label));
  const policies = [...new Set(own.map((r) => currentMethod(r.method).policy as string))].sort();
  const unknown = policies.filter((p) => !(p in POLICY_HUES));
  const hueOf = (p: string) => POLICY_HUES[p] ?? EXTRA_HUES[unknown.indexOf(p) % EXTRA_HUES.length];
  for (const policy of policies) {
    const members = own
      .filter((r) => currentMethod(r.method).policy === policy)
      .sort((a, b) => a.label.localeCompare(b.label));
    const configOf = (r: (typeof members)[number]) => {
      const m = currentMethod(r.method);
      return JSON.stringify({ mix: m.mix, layers: m.layers, eta: m.eta });
    };
    const configs = [...new Set(members.map(configOf))];
    const hue = hueOf(policy);
    for (const [c, config] of configs.entries()) {
      const tone = mixColor(hue, '#ffffff', Math.min(MAX_LIGHTEN, CONFIG_LIGHTEN * c));
      const inConfig = members.filter((r) => configOf(r) === config);
      const withSem = inConfig.filter((r) => currentMethod(r.method).sem !== null);
      for (const r of inConfig) {
        const j = withSem.indexOf(r);
        styles[r.label] = {
          policy,
          hue,
          color: j < 0 ? tone : mixColor(tone, '#000000', darken(j, withSem.length)),
          filled: j >= 0,
          marker: j < 0 ? 'circle' : SEM_SHAPES[j % SEM_SHAPES.length],
          dash: '',
        };
      }
    }
  }
  // An A/A row is its twin's method again: its twin's colours, told apart by shape and dashes.
  for (const r of rows.filter((x) => isAaLabel(x.label))) {
    const twin = styles[r.label.slice(0, -AA_MARKER.length)];
    const policy = currentMethod(r.method).policy as string;
    styles[r.label] = {
      ...(twin ?? { policy, hue: hueOf(policy), color: hueOf(policy), filled: false }),
      marker: 'diamond',
      dash: '4 3',
    };
  }
  return styles;
}

/**
 * A method's marker at (cx, cy), about `r` in radius, as SVG: filled in its colour with SEM, white inside without;
 * its shape as the style says. `attrs` (a class) go on the shape, `inner` (a title's markup) inside it.
 */
export function markerSvg(style: MethodStyle, cx: number, cy: number, r: number, attrs = '', inner = ''): string {
  const paint = `fill="${style.filled ? style.color : '#ffffff'}" stroke="${style.color}" stroke-width="1.5"`;
  const polygon = (points: Array<[number, number]>) =>
    `<polygon${attrs} points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" ${paint}>${inner}</polygon>`;
  // Shapes of about the circle's area, so none looks heavier than the others.
  if (style.marker === 'diamond') {
    const d = r * 1.3;
    return polygon([
      [cx, cy - d],
      [cx + d, cy],
      [cx, cy + d],
      [cx - d, cy],
    ]);
  }
  if (style.marker === 'triangle') {
    const d = r * 1.35;
    return polygon([
      [cx, cy - d],
      [cx + d * 0.866, cy + d / 2],
      [cx - d * 0.866, cy + d / 2],
    ]);
  }
  if (style.marker === 'square') {
    const d = r * 0.9;
    return polygon([
      [cx - d, cy - d],
      [cx + d, cy - d],
      [cx + d, cy + d],
      [cx - d, cy + d],
    ]);
  }
  return `<circle${attrs} cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r}" ${paint}>${inner}</circle>`;
}
