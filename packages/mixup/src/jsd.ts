import * as tf from '@tensorflow/tfjs-core';

/**
 * AugMix's Jensen–Shannon consistency term over n views of a batch (clean, AugMix 1, AugMix 2 in the paper),
 * as google-research/augmix (cifar.py `train`) and timm's `JsdCrossEntropy` compute it:
 *
 *   JS(p₁, …, pₙ) = (1/n) Σᵢ KL(pᵢ ‖ M),   M = clamp((1/n) Σᵢ pᵢ, 1e−7, 1),
 *
 * pᵢ = softmax(logitsᵢ), KL summed over classes and averaged over the batch (PyTorch's
 * `kl_div(log M, pᵢ, reduction='batchmean')`, whose target is pᵢ: each view's divergence from the mixture). The
 * clamp keeps log M finite where every view gives a class (almost) no mass; pᵢ·log pᵢ uses log-softmax, so a
 * probability that underflows to 0 contributes 0, as PyTorch's xlogy does.
 */
export function jensenShannon(logits: readonly tf.Tensor2D[]): tf.Scalar {
  if (logits.length < 2) throw new Error(`jensenShannon: needs 2 views or more, got ${logits.length}`);
  const shape = logits[0].shape;
  for (const [i, l] of logits.entries()) {
    if (!tf.util.arraysEqual(l.shape, shape)) {
      throw new Error(`jensenShannon: view ${i} has shape [${l.shape}], view 0 [${shape}]`);
    }
  }
  return tf.tidy(() => {
    const logProbs = logits.map((l) => tf.logSoftmax(l));
    const probs = logProbs.map((lp) => tf.exp(lp));
    const logMixture = tf.log(tf.clipByValue(tf.div(tf.addN(probs), logits.length), 1e-7, 1));
    const kls = probs.map((p, i) => tf.mean(tf.sum(tf.mul(p, tf.sub(logProbs[i], logMixture)), 1)));
    return tf.div(tf.addN(kls), logits.length) as tf.Scalar;
  });
}
