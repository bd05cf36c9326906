// Videos dropped on the sandbox page: listed, tracked in the page with the package's FaceTracker (frames sampled
// by seeking), and turned into real-track batches (one clip = one person, T frames drawn across the clip).
import { CpemError, type CpemErrorCode } from '../../plugin/errors/cpem-error.js';
import { FaceTracker } from '../../plugin/tracker/face-tracker.js';
import type { TrackedClip } from '../lib/data/real-track-source.js';
import type { BackendChoice } from './backends.js';

export interface ClipSampling {
  /** Frames per second of video to track. */
  fps: number;
  /** Most frames tracked per clip. */
  maxFrames: number;
}

interface Clip {
  file: File;
  item: HTMLLIElement;
  /** Tracked frames, 478 × 2 image pixels each, once tracked with `sampling`. */
  frames: Float32Array[] | null;
  sampling: string;
}

/**
 * Resolves on the video's `ok` event; rejects with `code` when the element reports an error instead (a file the
 * browser cannot decode).
 */
export function waitForVideoEvent(
  target: EventTarget,
  ok: string,
  what: string,
  code: CpemErrorCode = 'INVALID_ARGUMENT',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      target.removeEventListener(ok, done);
      target.removeEventListener('error', fail);
      resolve();
    };
    const fail = () => {
      target.removeEventListener(ok, done);
      target.removeEventListener('error', fail);
      reject(new CpemError(code, `${what}: the browser cannot decode this video. Convert it to H.264 MP4 or WebM.`));
    };
    target.addEventListener(ok, done);
    target.addEventListener('error', fail);
  });
}

export class VideoClips {
  private readonly clips: Clip[] = [];
  private tracker: FaceTracker | null = null;

  constructor(
    drop: HTMLElement,
    input: HTMLInputElement,
    private readonly list: HTMLElement,
  ) {
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      this.add([...(e.dataTransfer?.files ?? [])]);
    });
    input.addEventListener('change', () => {
      this.add([...(input.files ?? [])]);
      input.value = '';
    });
  }

  get count(): number {
    return this.clips.length;
  }

  /** Tracked frames per clip (null for a clip not tracked yet). */
  frameCounts(): Array<number | null> {
    return this.clips.map((c) => c.frames?.length ?? null);
  }

  private add(files: File[]): void {
    for (const file of files) {
      const item = document.createElement('li');
      this.list.append(item);
      const clip: Clip = { file, item, frames: null, sampling: '' };
      if (!file.type.startsWith('video/') && !/\.(mp4|webm|mov|mkv|ogv)$/i.test(file.name)) {
        item.textContent = `${file.name}: not a video, ignored`;
        continue;
      }
      item.textContent = `${file.name}: not tracked yet`;
      this.clips.push(clip);
      // Select the data choice that the drop implies.
      const radio = document.querySelector<HTMLInputElement>('input[name=data][value=videos]');
      if (radio) radio.checked = true;
    }
  }

  /**
   * Tracks every clip not yet tracked with this sampling (on `backend`, as training will run) and returns the
   * clips with a face. Throws INVALID_ARGUMENT when there is none.
   */
  async prepare(
    backend: BackendChoice,
    sampling: ClipSampling,
    onProgress: (text: string) => void,
  ): Promise<TrackedClip[]> {
    if (this.clips.length === 0)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'Drop at least one video with a face on the page first, or choose synthetic data.',
      );
    const key = `${sampling.fps}/${sampling.maxFrames}`;
    for (const clip of this.clips) {
      if (clip.frames && clip.sampling === key) continue;
      this.tracker ??= await FaceTracker.create({ backend, maxFaces: 1 });
      clip.frames = await this.track(clip, sampling, onProgress);
      clip.sampling = key;
    }
    const tracked: TrackedClip[] = this.clips
      .filter((c) => c.frames!.length > 0)
      .map((c) => ({ name: c.file.name, frames: c.frames! }));
    if (tracked.length === 0)
      throw new CpemError(
        'INVALID_ARGUMENT',
        'No face was found in the dropped videos. Drop clips where one face is clearly visible.',
      );
    return tracked;
  }

  /** Frees the tracker's models (before training takes the backend). */
  release(): void {
    this.tracker?.dispose();
    this.tracker = null;
  }

  private async track(clip: Clip, sampling: ClipSampling, onProgress: (text: string) => void): Promise<Float32Array[]> {
    const url = URL.createObjectURL(clip.file);
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.preload = 'auto';
    try {
      const loaded = waitForVideoEvent(video, 'loadeddata', clip.file.name);
      video.src = url;
      await loaded;
      const duration = Number.isFinite(video.duration) ? video.duration : 0;
      const count = Math.max(1, Math.min(sampling.maxFrames, Math.floor(duration * sampling.fps)));
      const frames: Float32Array[] = [];
      this.tracker!.reset();
      for (let i = 0; i < count; i++) {
        const seeked = waitForVideoEvent(video, 'seeked', clip.file.name);
        video.currentTime = Math.min(duration, (i + 0.5) / sampling.fps);
        await seeked;
        const result = await this.tracker!.track(video);
        const face = result.faces[0];
        if (result.status === 'ok' && face) frames.push(Float32Array.from(face.landmarks));
        const text = `${clip.file.name}: tracking ${i + 1}/${count} frames, ${frames.length} with a face`;
        clip.item.textContent = text;
        onProgress(text);
      }
      clip.item.textContent = `${clip.file.name}: ${frames.length} of ${count} frames tracked (${this.tracker!.backend})`;
      clip.item.dataset.frames = String(frames.length);
      return frames;
    } finally {
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
    }
  }
}
