// TF.js keeps gradient functions out of @tensorflow/tfjs-core's default import; training needs them.
// This module is the package's one deliberate side effect, and only the training entry point imports it.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
