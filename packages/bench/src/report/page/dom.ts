/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page's script runs in a browser: the DOM's types come from here, for the page's modules, while the package's
// base configuration stays Node-only (lib ES2022) for the rest of its code.

/** Attributes of `el`: `text` sets the text; null, undefined and false leave an attribute out; true sets it empty. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** An element with attributes and children (text or nodes; null and undefined are skipped). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attributes = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** A section with its heading, appended to `root`. */
export function section(root: HTMLElement, title: string, id: string): HTMLElement {
  const s = el('section', { id }, el('h2', { text: title }));
  root.append(s);
  return s;
}

/**
 * Text written for leaderboard.md as nodes: `code` spans and *emphasis* become their elements, so the page shows the
 * same sentence (verdict.ts's captions) without Markdown's marks. Nothing else of Markdown occurs in those sentences.
 */
export function inlineMarkdown(text: string): Array<Node | string> {
  return text
    .split(/(`[^`]+`|\*[^*\s][^*]*\*)/)
    .filter((part) => part !== '')
    .map((part) => {
      if (part.startsWith('`')) return el('code', { text: part.slice(1, -1) });
      if (part.startsWith('*')) return el('em', { text: part.slice(1, -1) });
      return part;
    });
}

/** A note paragraph; its text may hold leaderboard.md's `code` and *emphasis* (see inlineMarkdown). */
export const note = (text: string, attrs: Attributes = {}) =>
  el('p', { class: 'note', ...attrs }, ...inlineMarkdown(text));

/**
 * An SVG document's text as a node of this page. Parsed as XML, so a chart that is not well-formed fails loudly
 * (a page error) instead of showing half a chart.
 */
export function svgNode(svg: string): SVGSVGElement {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const error = doc.querySelector('parsererror');
  if (error || !(doc.documentElement instanceof SVGSVGElement))
    throw new Error(`report: a chart is not well-formed SVG: ${error?.textContent ?? doc.documentElement.nodeName}`);
  return document.importNode(doc.documentElement, true);
}
