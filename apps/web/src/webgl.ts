// What the page says about WebGL before the visitor picks it: whether the browser gives a context, and whether that
// context renders in software (SwiftShader, llvmpipe, …), where tfjs-backend-webgl takes seconds a step. Page-side
// only (a canvas of the document); the worker makes its own context when webgl is picked.

export interface WebglInfo {
  available: boolean;
  /** The renderer as the browser names it (WEBGL_debug_renderer_info where offered, else RENDERER). */
  renderer: string | null;
  /** A software rasteriser: webgl works but is slow. */
  software: boolean;
}

/** Renderer names of software rasterisers: Chromium's SwiftShader, Mesa's llvmpipe and softpipe, Windows' WARP. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

export const isSoftwareRenderer = (renderer: string): boolean => SOFTWARE_RENDERER.test(renderer);

/** Probes a throw-away WebGL context (switches no tfjs backend), and lets it go. */
export function webglInfo(): WebglInfo {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return { available: false, renderer: null, software: false };
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, renderer, software: isSoftwareRenderer(renderer) };
  } catch {
    return { available: false, renderer: null, software: false };
  }
}
