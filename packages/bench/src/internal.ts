// `@semix/bench/internal`: what semix's own packages (the CLI) and tests share with bench beyond its product:
// identity hashing, preset expansion, failure rules, record sealing and file names, charts, statistics, the kernel
// profile. Not an API to build on (may change in any release).

export { canonical, identityDiff, jobId, jobIdentity } from './plan/identity';
export { expandMethods, overrideMethods, presetShards, presetSuites } from './plan/preset';
export { ablationChart, chartFiles, corruptionChart, semChart, severityChart } from './report/charts';
export { chartList, optionPaths } from './report/leaderboard';
export { badRecordLine, recordSummary } from './report/leaderboard_text';
export { reportData } from './report/report';
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
export { type CorruptionSource, dataIdentity } from './run/data';
export {
  EXPLODED_LOSS_FACTOR,
  explodedLoss,
  type JobFailure,
  NEAR_CHANCE_FACTOR,
  nearChance,
} from './run/failure';
export { jobThreads, jobWorkers } from './run/job';
export { packageVersions } from './run/provenance';
export {
  checkRecord,
  FailedRecordSchema,
  failedText,
  identityMismatches,
  RecordSchema,
  recordDigest,
  recordText,
  recordThreads,
} from './run/records';
export { parseJobs } from './run/run';
export { failedFile, recordFile } from './run/store';
export { kernelTable, profileKernels } from './speed/speed';
