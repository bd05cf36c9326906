import type { Observable } from '@babylonjs/core/Misc/observable.js';

/**
 * Where a FaceRetargetBehavior is: 'idle' (created), 'starting' (opening the source, loading models), 'running',
 * 'paused' (source open, not estimating), 'stopped' (source closed, models kept) or 'disposed' (for good).
 */
export type FaceRetargetState = 'idle' | 'starting' | 'running' | 'paused' | 'stopped' | 'disposed';

/** The moves a behavior's state can make. */
const NEXT: Record<FaceRetargetState, readonly FaceRetargetState[]> = {
  idle: ['starting', 'disposed'],
  starting: ['running', 'stopped', 'disposed'],
  running: ['paused', 'stopped', 'disposed'],
  paused: ['running', 'starting', 'stopped', 'disposed'],
  stopped: ['starting', 'disposed'],
  disposed: [],
};

/**
 * The behavior's state machine. Besides the state it numbers the runs: each start() begins a new one and each stop
 * ends it, so that work still settling from an older run (a camera opening, a model loading, a frame in flight) can
 * tell that it is stale and drop its result.
 */
export class RunState {
  private current: FaceRetargetState = 'idle';
  private run = 0;

  constructor(private readonly changed: Observable<FaceRetargetState>) {}

  get state(): FaceRetargetState {
    return this.current;
  }

  /** The current run's number. */
  get id(): number {
    return this.run;
  }

  /** Enters 'starting' as a new run; returns its number. */
  begin(): number {
    this.move('starting');
    return ++this.run;
  }

  /** True while run `id` is the current one and the behavior is not disposed. */
  isCurrent(id: number): boolean {
    return id === this.run && this.current !== 'disposed';
  }

  /** Ends the current run in 'stopped' or 'disposed'. */
  end(state: 'stopped' | 'disposed'): void {
    this.run++;
    this.move(state);
  }

  /** Moves to `state` (an allowed move; a move to the same state does nothing) and tells the observers. */
  move(state: FaceRetargetState): void {
    if (state === this.current) return;
    if (!NEXT[this.current].includes(state))
      throw new Error(`FaceRetargetBehavior: no move from '${this.current}' to '${state}'.`);
    this.current = state;
    this.changed.notifyObservers(state);
  }
}
