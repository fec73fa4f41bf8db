import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * Visits every (batch, output pixel, filter tap) of a depthwise convolution whose input pixel lies inside the
 * image, with the flat offsets of the input pixel, the dy pixel and the filter tap (channels not included).
 * Both depthwise gradients are this loop with a different inner product.
 */
export function forEachDepthwiseTap(
  info: backend_util.Conv2DInfo,
  visit: (xOffset: number, dyOffset: number, wOffset: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyOffset = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let fy = 0; fy < filterHeight; fy++) {
          const y = oy * strideHeight + fy * dilationHeight - padTop;
          if (y < 0 || y >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const x = ox * strideWidth + fx * dilationWidth - padLeft;
            if (x < 0 || x >= inWidth) continue;
            visit(((b * inHeight + y) * inWidth + x) * inChannels, dyOffset, (fy * filterWidth + fx) * outChannels);
          }
        }
      }
    }
  }
}
