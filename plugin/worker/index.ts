// babylon-cpem/worker: the inference worker for FaceRetargetBehavior's inference: 'worker'. Pass it as the `worker`
// option; importing it is what puts the worker script into an app's build.
export { inferenceWorker } from '../behavior/packaged-worker.js';
