export { ablationChart, chartFiles, corruptionChart, severityChart, writeLeaderboard } from './charts';
export { type Grid, type GridJob, planGrid, readGrid } from './grid';
export { canonical, type DataIdentity, identityDiff, type JobIdentity, jobId, jobIdentity } from './identity';
export {
  type CorruptionSource,
  type DataProgress,
  dataIdentity,
  type EvaluationResult,
  EXPLODED_LOSS_FACTOR,
  evaluateOn,
  explodedLoss,
  type JobContext,
  JobFailedError,
  jobWorkers,
  loadPresetData,
  loadPresetSplits,
  NEAR_CHANCE_FACTOR,
  type PresetData,
  runJob,
} from './job';
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
} from './leaderboard';
export { leaderboardMarkdown, leaderboardTable, recordSummary } from './leaderboard_text';
export {
  BUILTIN_PRESETS,
  EvaluationSettings,
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
  type SuiteName,
  TrainSettings,
} from './preset';
export {
  type BadRecord,
  type FailedRead,
  type FailedRecord,
  FailedRecordSchema,
  failedFile,
  failedText,
  type RecordRead,
  RecordSchema,
  type ResultRecord,
  readFailed,
  readRecord,
  recordDigest,
  recordFile,
  recordText,
  type SuiteResult,
} from './records';
export { type Gallery, type GalleryOptions, loadGallery, type ReportContext, reportData, reportHtml } from './report';
export {
  type BenchEvent,
  type BenchOptions,
  type BenchResult,
  packageVersions,
  parseJobs,
  rebuildLeaderboard,
  runBench,
} from './run';
export {
  type KernelProfile,
  kernelTable,
  profileKernels,
  runSpeedSuite,
  type SpeedOptions,
  type SpeedResult,
  type SpeedRow,
  speedTable,
} from './speed';
export {
  mce,
  meanStd,
  type PairedDifference,
  type PairedOptions,
  pairedDifference,
  pearson,
  relativeMce,
  t975,
} from './stats';
