// babylon-cpem/bake (Node only): videos → GLB animation clips, the engine of `npx babylon-cpem bake`.
export { runBakeCli, prepareOutputFolder, BAKE_USAGE } from './bake-cli.node.js';
export type { BakeIo } from './bake-cli.node.js';
export { bakeVideo, loadCharacter } from './bake-video.node.js';
export type { BakeVideoOptions, BakeVideoResult } from './bake-video.node.js';
export { assertFfmpeg, probeClip } from './video-decode.node.js';
