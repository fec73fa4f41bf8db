/**
 * What report.ts inlines into report.html and the page's script reads: the shape both sides compile against, so
 * a field renamed on one side is a type error on the other. Types only (and the element's id): nothing here runs
 * in Node that the page needs, or the reverse.
 */
import type { Leaderboard } from '../leaderboard';
import type { MethodStyle } from '../palette';

/** The id of the `<script type="application/json">` element that holds the page's data. */
export const DATA_ELEMENT_ID = 'semix-data';

/** A labelled PNG of a few test images under one corruption: columns clean, then each severity. */
export interface GalleryImage {
  corruption: string;
  /** base64 of the PNG bytes. */
  png: string;
}

export interface GallerySuite {
  suite: string;
  columns: string[];
  images: GalleryImage[];
}

export interface Gallery {
  /** Test images shown per corruption. */
  count: number;
  suites: GallerySuite[];
  /** What could not be shown and why (a suite read from official files, data not in the cache). */
  notes: string[];
}

/**
 * A chart as charts.ts (curves.ts: the training curves) draws it: the same SVG text as the file beside
 * leaderboard.md, where there is one.
 */
export interface ChartFigure {
  kind: 'severity' | 'corruptions' | 'ablation' | 'sem' | 'curves';
  /** The suite it shows (severity, corruptions), the ranking suite (ablation), or null. */
  suite: string | null;
  caption: string;
  svg: string;
}

/** A forest plot of one comparison's per-corruption effects (forest.ts): the same SVG text as its file. */
export interface ForestFigure {
  label: string;
  baseline: string;
  table: 'controls' | 'sem';
  /** Its file beside leaderboard.md. */
  file: string;
  caption: string;
  svg: string;
}

export interface ReportData {
  schema: 'semix-report-v2';
  command: string;
  board: Leaderboard;
  /** How many records the board was built from, or null when the writer was not given them. */
  records: number | null;
  /** Package versions the records name, each with every version seen. */
  versions: Record<string, string[]>;
  commits: string[];
  backends: string[];
  wall_time_s: number;
  /** The records' creation times, sorted. */
  created: string[];
  gallery: Gallery | { unavailable: string };
  charts: ChartFigure[];
  /** Each method's style in the charts (palette.ts), keyed by label: the table marks each method with its marker. */
  styles: Record<string, MethodStyle>;
  /** The forest plots of the per-corruption effects, one per comparison (the board's `corruption_effects`). */
  forests: ForestFigure[];
}
