/**
 * Decodes `count` frames of a video at `url` into ImageData in the browser (a video element seeked frame by frame
 * at 30 fps, drawn onto a 2D canvas): the same frames, decoded once, for timing loops that must not measure decoding.
 */
export async function videoFramesInBrowser(url: string, count: number): Promise<ImageData[]> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.src = url;
  await new Promise<void>((resolve, reject) => {
    video.addEventListener('loadeddata', () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new Error(`cannot load ${url}`)), { once: true });
  });
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const out: ImageData[] = [];
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve) => {
      video.addEventListener('seeked', () => resolve(), { once: true });
      video.currentTime = (i + 0.5) / 30;
    });
    ctx.drawImage(video, 0, 0);
    out.push(ctx.getImageData(0, 0, canvas.width, canvas.height));
  }
  return out;
}
