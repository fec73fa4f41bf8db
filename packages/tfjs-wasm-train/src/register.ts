// The one-import entry: tfjs-backend-wasm registers its kernels when imported, so it is imported first and the
// pack then replaces the ones it improves on.
import '@tensorflow/tfjs-backend-wasm';
import { registerAll } from './register_all_kernels';

registerAll();
