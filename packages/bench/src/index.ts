export { type Grid, type GridJob, planGrid, readGrid } from './plan/grid';
export { canonical, type DataIdentity, identityDiff, type JobIdentity, jobId, jobIdentity } from './plan/identity';
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
} from './run/job';
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
} from './run/records';
export {
  type BenchEvent,
  type BenchOptions,
  type BenchResult,
  packageVersions,
  parseJobs,
  rebuildLeaderboard,
  runBench,
  type UnreadableRecord,
} from './run/run';
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
