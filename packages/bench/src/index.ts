export { type Grid, type GridJob, planGrid, readGrid } from './plan/grid';
export { canonical, type DataIdentity, identityDiff, type JobIdentity, jobId, jobIdentity } from './plan/identity';
export {
  BUILTIN_PRESETS,
  EvaluationSettings,
  type EvaluationSuiteName,
  expandMethods,
  formatIssues,
  loadPreset,
  ModelSettings,
  overrideMethods,
  type Preset,
  PresetError,
  PresetObject,
  parsePreset,
  presetShards,
  presetSuites,
  SeedSchema,
  SUITES,
  // Deprecated alias of EvaluationSuiteName.
  type SuiteName,
  TrainSettings,
} from './plan/preset';
export { ablationChart, chartFiles, corruptionChart, semChart, severityChart } from './report/charts';
export {
  type AblationTable,
  buildLeaderboard,
  type Comparison,
  chartList,
  type Leaderboard,
  type MethodRow,
  optionPaths,
  readLeaderboard,
  type Stat,
  type SuiteColumns,
} from './report/leaderboard';
export { badRecordLine, leaderboardMarkdown, leaderboardTable, recordSummary } from './report/leaderboard_text';
export {
  type Gallery,
  type GalleryOptions,
  loadGallery,
  type ReportContext,
  reportData,
  reportHtml,
} from './report/report';
export {
  mce,
  meanStd,
  type PairedDifference,
  type PairedOptions,
  pairedDifference,
  pearson,
  relativeMce,
  t975,
} from './report/stats';
export { writeLeaderboard } from './report/write';
export {
  type CorruptionSource,
  type DataProgress,
  dataIdentity,
  loadPresetData,
  loadPresetSplits,
  type PresetData,
  type PresetSplits,
} from './run/data';
export { type EvaluationResult, evaluateOn } from './run/evaluate';
export {
  EXPLODED_LOSS_FACTOR,
  explodedLoss,
  JobFailedError,
  type JobFailure,
  NEAR_CHANCE_FACTOR,
  nearChance,
} from './run/failure';
export { type JobContext, jobThreads, jobWorkers, runJob } from './run/job';
export { packageVersions } from './run/provenance';
export {
  checkRecord,
  type FailedRecord,
  FailedRecordSchema,
  failedText,
  identityMismatches,
  RecordSchema,
  type ResultRecord,
  recordDigest,
  recordText,
  recordThreads,
  type StoredIdentity,
  type SuiteResult,
} from './run/records';
export {
  type BenchEvent,
  type BenchOptions,
  type BenchResult,
  parseJobs,
  rebuildLeaderboard,
  runBench,
} from './run/run';
export {
  type BadRecord,
  type FailedRead,
  failedFile,
  type RecordRead,
  type RecordStore,
  readFailed,
  readRecord,
  recordFile,
  recordStore,
  type UnreadableRecord,
} from './run/store';
export {
  type KernelProfile,
  kernelTable,
  profileKernels,
  runSpeedSuite,
  type SpeedOptions,
  type SpeedResult,
  type SpeedRow,
  speedTable,
} from './speed/speed';
