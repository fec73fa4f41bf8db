/**
 * A 3 × 5 pixel font for the labels of preview grids (upper case, digits, `_`, `-`, `(`, `)`, space), so that a
 * PNG needs no font file or canvas. Each glyph is five rows of three cells, `#` for ink.
 */
const GLYPHS: Record<string, string> = {
  A: '.#. #.# ### #.# #.#',
  B: '##. #.# ##. #.# ##.',
  C: '.## #.. #.. #.. .##',
  D: '##. #.# #.# #.# ##.',
  E: '### #.. ##. #.. ###',
  F: '### #.. ##. #.. #..',
  G: '.## #.. #.# #.# .##',
  H: '#.# #.# ### #.# #.#',
  I: '### .#. .#. .#. ###',
  J: '..# ..# ..# #.# .#.',
  K: '#.# #.# ##. #.# #.#',
  L: '#.. #.. #.. #.. ###',
  M: '#.# ### ### #.# #.#',
  N: '##. #.# #.# #.# #.#',
  O: '.#. #.# #.# #.# .#.',
  P: '##. #.# ##. #.. #..',
  Q: '.#. #.# #.# ##. .##',
  R: '##. #.# ##. #.# #.#',
  S: '.## #.. .#. ..# ##.',
  T: '### .#. .#. .#. .#.',
  U: '#.# #.# #.# #.# ###',
  V: '#.# #.# #.# #.# .#.',
  W: '#.# #.# ### ### #.#',
  X: '#.# #.# .#. #.# #.#',
  Y: '#.# #.# .#. .#. .#.',
  Z: '### ..# .#. #.. ###',
  '0': '### #.# #.# #.# ###',
  '1': '.#. ##. .#. .#. ###',
  '2': '##. ..# .#. #.. ###',
  '3': '##. ..# .#. ..# ##.',
  '4': '#.# #.# ### ..# ..#',
  '5': '### #.. ##. ..# ##.',
  '6': '.## #.. ### #.# ###',
  '7': '### ..# .#. .#. .#.',
  '8': '### #.# ### #.# ###',
  '9': '### #.# ### ..# ##.',
  _: '... ... ... ... ###',
  '-': '... ... ### ... ...',
  '(': '.#. #.. #.. #.. .#.',
  ')': '.#. ..# ..# ..# .#.',
  ' ': '... ... ... ... ...',
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

/** Width in pixels of `text` drawn at `scale` (one blank column between glyphs). */
export const textWidth = (text: string, scale: number) => Math.max(0, text.length * (GLYPH_WIDTH + 1) - 1) * scale;

/** Draws `text` (upper-cased) into an RGBA buffer of the given width, top-left at (x, y), in black. */
export function drawText(rgba: Uint8Array, width: number, x: number, y: number, text: string, scale: number): void {
  [...text.toUpperCase()].forEach((ch, k) => {
    const glyph = GLYPHS[ch];
    if (!glyph) throw new Error(`label: character '${ch}' of '${text}' has no glyph`);
    const rows = glyph.split(' ');
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++)
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (rows[gy][gx] !== '#') continue;
        for (let sy = 0; sy < scale; sy++)
          for (let sx = 0; sx < scale; sx++) {
            const px = x + (k * (GLYPH_WIDTH + 1) + gx) * scale + sx;
            const py = y + gy * scale + sy;
            const o = (py * width + px) * 4;
            rgba[o] = 0;
            rgba[o + 1] = 0;
            rgba[o + 2] = 0;
            rgba[o + 3] = 255;
          }
      }
  });
}
