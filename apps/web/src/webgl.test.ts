import { describe, expect, it } from 'vitest';
import { isSoftwareRenderer } from './webgl';

describe('isSoftwareRenderer', () => {
  it('names the software rasterisers as the browsers report them', () => {
    for (const renderer of [
      // Chromium's, headless or without a GPU.
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'Google SwiftShader',
      // Mesa's, on Linux without a GPU driver.
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'Mesa softpipe',
      // Windows' WARP.
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Software Rasterizer',
    ]) {
      expect(isSoftwareRenderer(renderer), renderer).toBe(true);
    }
  });

  it('leaves GPUs alone', () => {
    for (const renderer of [
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'Apple M1',
      'Mesa Intel(R) UHD Graphics 620 (KBL GT2)',
      'AMD Radeon Pro 5500M OpenGL Engine',
    ]) {
      expect(isSoftwareRenderer(renderer), renderer).toBe(false);
    }
  });
});
