import { CpemError } from '../errors/cpem-error.js';
import { quote } from '../errors/quote.js';

/** Where the face comes from: the user's webcam (getUserMedia), a video element, or a MediaStream. */
export type FaceSource = 'webcam' | HTMLVideoElement | MediaStream;

export interface FrameSourceOptions {
  /** Video constraints for the webcam. Default { width: 640, height: 480, facingMode: 'user' }. */
  videoConstraints?: MediaTrackConstraints;
  /** Where getUserMedia is called. Default navigator.mediaDevices. */
  mediaDevices?: MediaDevices;
}

/**
 * The frame source: turns a FaceSource into a playing HTMLVideoElement that frames are read from, and closes what it
 * opened. A webcam it opened is stopped on release(); a video element or stream the caller passed stays theirs.
 */
export class FrameSource {
  private ownedStream: MediaStream | null = null;
  private ownsVideo = false;
  private current: HTMLVideoElement | null = null;

  constructor(private readonly options: FrameSourceOptions = {}) {}

  /** The video frames are read from, or null when nothing is open. */
  get video(): HTMLVideoElement | null {
    return this.current;
  }

  /**
   * Opens `source` and starts it playing. `stillWanted()` is asked once the camera has opened: when it says no (the
   * caller stopped meanwhile), the camera is closed again and null is returned. Throws CAMERA_DENIED,
   * CAMERA_UNAVAILABLE or INVALID_ARGUMENT.
   */
  async open(source: FaceSource, stillWanted: () => boolean): Promise<HTMLVideoElement | null> {
    this.release();
    let video: HTMLVideoElement;
    if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) {
      video = source;
      this.ownsVideo = false;
    } else {
      let stream: MediaStream;
      if (source === 'webcam') {
        stream = await this.openWebcam();
        if (!stillWanted()) {
          for (const track of stream.getTracks()) track.stop();
          return null;
        }
        this.ownedStream = stream;
      } else if (typeof MediaStream !== 'undefined' && source instanceof MediaStream) {
        stream = source;
      } else {
        throw new CpemError(
          'INVALID_ARGUMENT',
          `source must be 'webcam', an HTMLVideoElement or a MediaStream; got ${quote(source as unknown)}.`,
        );
      }
      video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = stream;
      this.ownsVideo = true;
    }
    this.current = video;
    if (video.paused) {
      try {
        await video.play();
      } catch (e) {
        if ((e as Error).name !== 'AbortError') {
          throw new CpemError(
            'CAMERA_UNAVAILABLE',
            `The video would not play (${(e as Error).message}). Mute it or start from a user gesture.`,
            { cause: e },
          );
        }
      }
    }
    return video;
  }

  /** Resolves once `video` has a frame to read (readyState ≥ 2); rejects with CAMERA_UNAVAILABLE on a media error. */
  async whenReady(video: HTMLVideoElement): Promise<void> {
    if (video.readyState >= 2) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        video.removeEventListener('loadeddata', done);
        video.removeEventListener('error', fail);
        resolve();
      };
      const fail = () => {
        video.removeEventListener('loadeddata', done);
        video.removeEventListener('error', fail);
        reject(
          new CpemError(
            'CAMERA_UNAVAILABLE',
            `The video could not be played (${video.error?.message ?? 'media error'}). Check the file or stream.`,
          ),
        );
      };
      video.addEventListener('loadeddata', done);
      video.addEventListener('error', fail);
    });
  }

  /** Stops the webcam tracks it opened and detaches the video it created; a caller's video or stream is left alone. */
  release(): void {
    if (this.ownedStream) for (const track of this.ownedStream.getTracks()) track.stop();
    this.ownedStream = null;
    if (this.current && this.ownsVideo) {
      this.current.pause();
      this.current.srcObject = null;
    }
    this.current = null;
    this.ownsVideo = false;
  }

  private async openWebcam(): Promise<MediaStream> {
    const devices =
      this.options.mediaDevices ?? (typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined);
    if (!devices?.getUserMedia) {
      throw new CpemError(
        'CAMERA_UNAVAILABLE',
        'This page has no camera access (navigator.mediaDevices is missing: serve the page over https or from localhost), or pass a video element as source.',
      );
    }
    try {
      return await devices.getUserMedia({
        video: this.options.videoConstraints ?? { width: 640, height: 480, facingMode: 'user' },
        audio: false,
      });
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
        throw new CpemError(
          'CAMERA_DENIED',
          `Camera access was denied (${name}: ${(e as Error).message}). Allow the camera for this page in the browser, or use a video file as source.`,
          { cause: e },
        );
      }
      throw new CpemError(
        'CAMERA_UNAVAILABLE',
        `No camera could be opened (${name}: ${(e as Error)?.message}). Plug one in or close the app using it, or use a video file as source.`,
        { cause: e },
      );
    }
  }
}
