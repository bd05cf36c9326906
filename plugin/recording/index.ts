// Recording a performance: a running behavior (or the offline bake) into a take, the take into a Babylon
// AnimationGroup with reduced keys, and the take out as GLB, Live Link Face CSV or JSON.
export { FaceTakeRecorder } from './face-take-recorder.js';
export { TakeRecording } from './take-recording.js';
export type { RecordedTake, TakeRecordingOptions } from './take-recording.js';
export { TakeBuffer, takeBytesPerFrame, DEFAULT_MAX_TAKE_FRAMES } from './take-buffer.js';
export type { TakeGap, TakeBufferOptions } from './take-buffer.js';
export { buildTakeClip, bindTake, CLIP_FRAME_RATE } from './take-clip.js';
export type { TakeClip, TakeBindings, ReductionReport } from './take-clip.js';
export {
  reduceCurve,
  reduceScalarChannel,
  reduceRotationChannel,
  sampleScalar,
  DEFAULT_KEY_TOLERANCE,
} from './reduce-keys.js';
export type { KeyTolerance, ReducedChannel } from './reduce-keys.js';
export { exportTakeGlb } from './take-glb.js';
export {
  takeToLiveLinkCsv,
  takeToUnitsJson,
  liveLinkTimecode,
  nominalFrameRate,
  LIVE_LINK_BLENDSHAPES,
  LIVE_LINK_POSE_COLUMNS,
} from './take-formats.js';
export type { TakeUnitsJson } from './take-formats.js';
