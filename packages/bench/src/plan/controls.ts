/**
 * The A/A control: a method run again, under a label that ends in AA_MARKER, on a seed stream of its own. The
 * leaderboard compares it with its twin (the row of the same label without the marker), so every difference it
 * finds is a false positive. The marker is what makes a row an A/A control, for the board and for the job alike:
 * a job whose method's label carries it has `control: 'aa'` in its identity (so its id differs from its twin's,
 * whose options are the same) and trains from `aaTrainingSeed(seed)` in place of `seed` (identity.ts).
 *
 * No Node built-ins: the report's page script imports the marker.
 */

/** The marker of an A/A control row: its label ends in this. */
export const AA_MARKER = ' (A/A)';

/** An A/A control's label (see {@link AA_MARKER}). */
export const isAaLabel = (label: string) => label.endsWith(AA_MARKER);

/** The label of an A/A row's twin: its own without the marker (any other label as it is). */
export const aaTwinLabel = (label: string) => (isAaLabel(label) ? label.slice(0, -AA_MARKER.length) : label);
