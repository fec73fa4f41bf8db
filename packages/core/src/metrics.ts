/**
 * Expected calibration error with equal-width confidence bins (Guo et al. 2017, "On Calibration of Modern
 * Neural Networks"): ECE = Σ_b (n_b / N) · |acc_b − conf_b|, confidence = the top softmax probability, bins
 * (k/B, (k+1)/B], a confidence of exactly 0 in the first bin.
 */
export function expectedCalibrationError(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean | number>,
  bins = 15,
): number {
  const n = confidences.length;
  if (n === 0) return Number.NaN;
  const count = new Float64Array(bins);
  const accSum = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const c = confidences[i];
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b] += 1;
    confSum[b] += c;
    accSum[b] += correct[i] ? 1 : 0;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) ece += (count[b] / n) * Math.abs(accSum[b] / count[b] - confSum[b] / count[b]);
  }
  return ece;
}
