// The little of gltf-validator and three's GLTFLoader that the GLB checks use (neither ships TypeScript types).
declare module 'gltf-validator' {
  export function validateBytes(
    data: Uint8Array,
    options?: { maxIssues?: number },
  ): Promise<{
    issues: {
      numErrors: number;
      numWarnings: number;
      messages: Array<{ code: string; message: string; severity: number; pointer?: string }>;
    };
  }>;
}

declare module 'three/examples/jsm/loaders/GLTFLoader.js' {
  export class GLTFLoader {
    parse(data: ArrayBuffer, path: string, onLoad: (gltf: never) => void, onError: (e: unknown) => void): void;
  }
}
