// The one place that says how the project starts Chromium: Debian's build, headless, with WebGPU on
// SwiftShader/Vulkan and WebGL2 on ANGLE/SwiftShader together. `--disable-gpu` must not be added: it breaks
// the WebGPU canvas path. The last flags keep Chromium from reaching for the network at start.
const fs = require('node:fs');

const CHROMIUM_PATH =
  process.env.CHROME_BIN ||
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p)) ||
  '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Flags for a fake webcam; with a y4m file it plays that clip instead of the test pattern. */
function fakeCameraFlags(y4mFile) {
  const flags = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
  if (y4mFile) flags.push(`--use-file-for-fake-video-capture=${y4mFile}`);
  return flags;
}

module.exports = { CHROMIUM_PATH, CHROMIUM_FLAGS, fakeCameraFlags };
