import type { Observer } from '@babylonjs/core/Misc/observable';
import { Observable } from '@babylonjs/core/Misc/observable.js';
import type { FaceRetargetBehavior } from '../behavior/face-retarget-behavior.js';
import { CpemError } from '../errors/cpem-error.js';
import type { EstimatedFaceMotion } from '../estimator/face-estimator.js';
import { TakeRecording, type RecordedTake, type TakeRecordingOptions } from './take-recording.js';

/**
 * Records a running FaceRetargetBehavior into a take: per estimated frame, the influence the behavior applies to each
 * mapped morph target and the head rotation, with the frame's timestamp; a lost face marks a gap. `stop()` returns
 * the take with an AnimationGroup on the character's own morph targets and head node.
 *
 * ```ts
 * const recorder = new FaceTakeRecorder(behavior);
 * recorder.start();
 * // …
 * const { clip } = recorder.stop();
 * clip.group.play(true);
 * ```
 */
export class FaceTakeRecorder {
  /** Fires once when the take reaches its `maxFrames`: the recorder stops taking frames (call `stop()`). */
  readonly onLimitReachedObservable = new Observable<void>();
  private recording: TakeRecording | null = null;
  private observers: Array<Observer<EstimatedFaceMotion> | Observer<void>> = [];

  constructor(
    readonly behavior: FaceRetargetBehavior,
    private readonly options: TakeRecordingOptions = {},
  ) {}

  get isRecording(): boolean {
    return this.recording !== null;
  }

  /** Frames recorded so far and the take's length (ms). */
  get frameCount(): number {
    return this.recording?.take.frameCount ?? 0;
  }

  get durationMs(): number {
    return this.recording?.take.durationMs ?? 0;
  }

  /** Starts a take. Throws INVALID_ARGUMENT when the behavior is not attached to a character or a take is running. */
  start(): void {
    if (this.recording) throw new CpemError('INVALID_ARGUMENT', 'a take is already being recorded; stop() it first.');
    const node = this.behavior.attachedNode;
    const applier = this.behavior.applier;
    if (!node || !applier)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'the behavior is not attached to a character: call character.addBehavior(behavior) before recording.',
      );
    const recording = new TakeRecording(node, applier, this.options);
    this.recording = recording;
    let limited = false;
    this.observers = [
      this.behavior.onFaceMotionObservable.add((motion) => {
        if (!recording.add(motion) && recording.take.full && !limited) {
          limited = true;
          this.onLimitReachedObservable.notifyObservers();
        }
      }),
      this.behavior.onFaceLostObservable.add(() => recording.lost(performance.now())),
    ];
  }

  /** Ends the take: reduces its keys and builds its clip. Throws INVALID_ARGUMENT when no take was started. */
  stop(): RecordedTake {
    const recording = this.recording;
    if (!recording) throw new CpemError('INVALID_ARGUMENT', 'no take is being recorded; call start() first.');
    for (const o of this.observers) o.remove();
    this.observers = [];
    this.recording = null;
    if (recording.take.frameCount === 0)
      throw new CpemError('NO_FACE', 'the take has no frame with a face; record again with a face in view.');
    return recording.finish();
  }

  /** Stops listening (a take in progress is dropped). */
  dispose(): void {
    for (const o of this.observers) o.remove();
    this.observers = [];
    this.recording = null;
    this.onLimitReachedObservable.clear();
  }
}
