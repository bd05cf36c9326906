/**
 * The package's face model file, named in a module of its own: bundlers copy a file into an app's build when they
 * meet its `new URL('…', import.meta.url)`, so only apps that import this (babylon-cpem/face-model: overlays,
 * digital doubles) carry the face model. It sits beside assets.ts for the same reason: '../weights/' from here is the
 * package's weights/ folder, in the sources as in dist/.
 */
export function packagedFaceModelUrl(): string {
  return new URL('../weights/face-model.bin', import.meta.url).href;
}
