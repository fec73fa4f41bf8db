export {
  type CorruptionSource,
  type DataProgress,
  type EvaluationResult,
  evaluateOn,
  type JobContext,
  loadPresetData,
  type PresetData,
  runJob,
} from './job';
export {
  buildLeaderboard,
  corruptionChart,
  type Leaderboard,
  leaderboardMarkdown,
  leaderboardTable,
  type MethodRow,
  type SemComparison,
  severityChart,
  writeLeaderboard,
} from './leaderboard';
export { BUILTIN_PRESETS, loadPreset, type Preset, PresetObject, PresetSchema, parsePreset } from './preset';
export {
  JobPayloadSchema,
  QUEUE_NAME,
  type QueuedBenchOptions,
  type QueuedBenchResult,
  type QueueEvent,
  queueJobId,
  redactUrl,
  runQueuedBench,
  runWorker,
  type WorkerEvent,
  type WorkerOptions,
} from './queue';
export {
  type FailedRecord,
  FailedRecordSchema,
  failedFile,
  jobId,
  type RecordRead,
  RecordSchema,
  type ResultRecord,
  readFailed,
  readRecord,
  readRecords,
  recordFile,
} from './records';
export {
  type BenchEvent,
  type BenchOptions,
  type BenchResult,
  packageVersions,
  parseJobs,
  rebuildLeaderboard,
  runBench,
} from './run';
export { runSpeedSuite, type SpeedOptions, type SpeedResult, type SpeedRow, speedTable } from './speed';
export { mce, meanStd, type PairedDifference, pairedDifference, relativeMce } from './stats';
