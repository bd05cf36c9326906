/**
 * Start-up stages on the page's Performance timeline (DevTools' Performance panel, performance.getEntriesByName):
 * 'cpem:source' (the webcam or video is open), 'cpem:backend' (the TF.js backend started), 'cpem:models' (tracker and
 * PE-Net loaded and warmed up), 'cpem:first-motion' (a behavior's first estimated frame). `npm run bench` reads them.
 */
export function markStage(name: 'source' | 'backend' | 'models' | 'first-motion'): void {
  try {
    globalThis.performance?.mark?.(`cpem:${name}`);
  } catch {
    /* a timeline that refuses marks changes nothing */
  }
}
