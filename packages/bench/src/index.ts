// `@semix/bench`: what users build on: presets, the grid a preset plans, runBench and runJob, the records and
// their store, the leaderboard (built, read, written, as text and as report.html) and the speed suite. What semix's
// own packages and tests share beyond that (identity hashing, failure rules, charts, statistics, record sealing)
// is in `@semix/bench/internal`; the queue is `@semix/bench/queue`.
export { type Grid, type GridJob, planGrid, readGrid } from './plan/grid';
export type { DataIdentity, JobIdentity } from './plan/identity';
export {
  BUILTIN_PRESETS,
  EvaluationSettings,
  type EvaluationSuiteName,
  formatIssues,
  loadPreset,
  ModelSettings,
  type Preset,
  PresetError,
  PresetObject,
  parsePreset,
  SeedSchema,
  SUITES,
  // Deprecated alias of EvaluationSuiteName.
  type SuiteName,
  TrainSettings,
} from './plan/preset';
export {
  type AblationTable,
  buildLeaderboard,
  type Comparison,
  type Leaderboard,
  type MethodRow,
  readLeaderboard,
  type Stat,
  type SuiteColumns,
} from './report/leaderboard';
export { leaderboardMarkdown, leaderboardTable } from './report/leaderboard_text';
export {
  type Gallery,
  type GalleryOptions,
  loadGallery,
  type ReportContext,
  reportHtml,
} from './report/report';
// Deprecated here (the README names them): import them from '@semix/bench/internal'. Removed in the next minor release.
export { pairedDifference } from './report/stats';
export { writeLeaderboard } from './report/write';
export {
  type DataProgress,
  loadPresetData,
  loadPresetSplits,
  type PresetData,
  type PresetSplits,
} from './run/data';
export { type EvaluationResult, evaluateOn } from './run/evaluate';
export { JobFailedError } from './run/failure';
export { type JobContext, runJob } from './run/job';
export {
  type FailedRecord,
  type ResultRecord,
  recordThreads,
  type StoredIdentity,
  type SuiteResult,
} from './run/records';
export {
  type BenchEvent,
  type BenchOptions,
  type BenchResult,
  rebuildLeaderboard,
  runBench,
} from './run/run';
export {
  type BadRecord,
  type FailedRead,
  type RecordRead,
  type RecordStore,
  readFailed,
  readRecord,
  recordStore,
  type UnreadableRecord,
} from './run/store';
export {
  type CostProjection,
  DEFAULT_PRESET_COST_OPTIONS,
  type KernelProfile,
  measurePresetCost,
  type PresetCost,
  type PresetCostOptions,
  type PresetCounts,
  presetCostText,
  presetCounts,
  projectCost,
  runSpeedSuite,
  type SpeedOptions,
  type SpeedResult,
  type SpeedRow,
  type StepTimes,
  speedTable,
} from './speed/speed';
