/**
 * Every error the package raises on bad input is a `CpemError` with a stable `code`, a message that says
 * what was wrong and what to do, and (where one exists) the underlying `cause`.
 */
export type CpemErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_FACE_MOTION'
  | 'WEIGHTS_MISSING'
  | 'WEIGHTS_CORRUPT'
  | 'FACE_MODEL_INVALID'
  | 'RETARGET_TABLE_INVALID'
  | 'NO_MORPH_TARGETS'
  | 'NO_FACE'
  | 'CAMERA_DENIED'
  | 'BACKEND_UNAVAILABLE'
  | 'DEVICE_LOST'
  | 'CAMERA_UNAVAILABLE'
  | 'CALIBRATION_PROFILE_INVALID'
  | 'ESTIMATION_FAILED'
  | 'DEPENDENCY_MISSING'
  | 'VIDEO_UNREADABLE'
  | 'OUTPUT_UNWRITABLE';

export class CpemError extends Error {
  override readonly name = 'CpemError';
  constructor(
    readonly code: CpemErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `e` is a {@link CpemError}, optionally with the given code. */
export function isCpemError(e: unknown, code?: CpemErrorCode): e is CpemError {
  return e instanceof CpemError && (code === undefined || e.code === code);
}
